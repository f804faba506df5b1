// Out-of-line destructors of the plugin interfaces, so their vtables and RTTI live
// in the core .so and are shared by every plugin; and the kind names.
#include "harborrobot/dns/resolver.h"
#include "harborrobot/http/client.h"
#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/plugin/factory.h"
#include "harborrobot/plugin/project_resolver.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot {

namespace dns {
Resolver::~Resolver() = default;
} // namespace dns

namespace http {
Client::~Client() = default;
} // namespace http

namespace plugin {

std::string_view kindName(Kind kind) {
  switch (kind) {
  case Kind::kProvider:
    return "provider";
  case Kind::kAliasPolicy:
    return "alias-policy";
  case Kind::kProjectResolver:
    return "project-resolver";
  }
  return "unknown";
}

Factory::~Factory() = default;
AliasPolicy::~AliasPolicy() = default;
AliasPolicyFactory::~AliasPolicyFactory() = default;
ProjectNameResolver::~ProjectNameResolver() = default;
ProjectResolverFactory::~ProjectResolverFactory() = default;
Provider::~Provider() = default;
ProviderFactory::~ProviderFactory() = default;

} // namespace plugin
} // namespace harborrobot

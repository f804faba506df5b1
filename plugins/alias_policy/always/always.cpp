// The "Always" alias policy (Alauda's Generator documentation): the alias Secret exists whatever
// DNS says.
#include <fmt/format.h>

#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/plugin/export.h"

namespace harborrobot::plugins::always {

class AlwaysPolicy final : public plugin::AliasPolicy {
public:
  plugin::AliasDecision decide(const plugin::AliasInput& input, dns::Resolver&) override {
    return {plugin::AliasAction::kGenerate,
            fmt::format("policy Always: {} is always generated", input.alias)};
  }
};

class AlwaysPolicyFactory final : public plugin::AliasPolicyFactory {
public:
  std::string name() const override { return "Always"; }
  std::unique_ptr<plugin::AliasPolicy> create() const override {
    return std::make_unique<AlwaysPolicy>();
  }
};

} // namespace harborrobot::plugins::always

HARBORROBOT_PLUGIN("alias-policy", "always", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::plugins::always::AlwaysPolicyFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

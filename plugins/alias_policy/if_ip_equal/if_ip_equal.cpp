// The "IfIPEqual" alias policy (Alauda's Generator documentation): generate the alias Secret when
// the alias resolves to the url's addresses, or, with url.alias.ips set, only to addresses in that
// list. Any resolution failure keeps the current state, so a DNS hiccup never removes a working
// pull secret.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/plugin/export.h"
#include "url_host.h"

namespace harborrobot::plugins::if_ip_equal {

namespace {

using plugin::AliasAction;
using plugin::AliasDecision;

std::string joined(const std::set<std::string>& addresses) {
  return addresses.empty() ? "nothing" : fmt::format("{}", fmt::join(addresses, ","));
}

Result<std::set<std::string>> addressesOf(std::string_view url, dns::Resolver& resolver) {
  auto host = hostOfUrl(url);
  if (!host) {
    return makeError(host.error());
  }
  auto resolved = resolver.resolve(*host);
  if (!resolved) {
    return makeError(resolved.error().withContext(fmt::format("resolving {}", *host)));
  }
  return std::set<std::string>(resolved->begin(), resolved->end());
}

} // namespace

class IfIpEqualPolicy final : public plugin::AliasPolicy {
public:
  AliasDecision decide(const plugin::AliasInput& input, dns::Resolver& resolver) override {
    auto aliasAddresses = addressesOf(input.alias, resolver);
    if (!aliasAddresses) {
      return {AliasAction::kKeep, aliasAddresses.error().message()};
    }
    if (aliasAddresses->empty()) {
      return {AliasAction::kKeep, fmt::format("{} resolved to no address", input.alias)};
    }
    if (!input.aliasIps.empty()) {
      // Every address must be listed: an answer that mixes sites could send pulls
      // to a Harbor this credential is not valid for.
      const std::set<std::string> allowed(input.aliasIps.begin(), input.aliasIps.end());
      const bool contained = std::includes(allowed.begin(), allowed.end(), aliasAddresses->begin(),
                                           aliasAddresses->end());
      return {contained ? AliasAction::kGenerate : AliasAction::kRemove,
              fmt::format("{} resolves to {}, url.alias.ips is {}", input.alias,
                          joined(*aliasAddresses), joined(allowed))};
    }
    auto urlAddresses = addressesOf(input.url, resolver);
    if (!urlAddresses) {
      return {AliasAction::kKeep, urlAddresses.error().message()};
    }
    return {*aliasAddresses == *urlAddresses ? AliasAction::kGenerate : AliasAction::kRemove,
            fmt::format("{} resolves to {}, {} to {}", input.alias, joined(*aliasAddresses),
                        input.url, joined(*urlAddresses))};
  }
};

class IfIpEqualPolicyFactory final : public plugin::AliasPolicyFactory {
public:
  std::string name() const override { return "IfIPEqual"; }
  std::unique_ptr<plugin::AliasPolicy> create() const override {
    return std::make_unique<IfIpEqualPolicy>();
  }
};

} // namespace harborrobot::plugins::if_ip_equal

HARBORROBOT_PLUGIN("alias-policy", "if-ip-equal", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::plugins::if_ip_equal::IfIpEqualPolicyFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

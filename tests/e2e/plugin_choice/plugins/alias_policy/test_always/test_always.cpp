// A test alias policy, "TestAlways": generates the alias Secret without asking DNS,
// where the default IfIPEqual removes it for an alias that resolves elsewhere than
// the url; its reason names it, so the agent's "alias decision" log shows which
// policy decided (e2e.plugin_choice).
#include <fmt/format.h>

#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/plugin/export.h"

namespace harborrobot::tests::plugin_choice::test_always {

class TestAlwaysPolicy final : public plugin::AliasPolicy {
public:
  plugin::AliasDecision decide(const plugin::AliasInput& input, dns::Resolver&) override {
    return {plugin::AliasAction::kGenerate,
            fmt::format("policy TestAlways (a test plugin): {} is generated without asking DNS",
                        input.alias)};
  }
};

class TestAlwaysPolicyFactory final : public plugin::AliasPolicyFactory {
public:
  std::string name() const override { return "TestAlways"; }
  std::unique_ptr<plugin::AliasPolicy> create() const override {
    return std::make_unique<TestAlwaysPolicy>();
  }
};

} // namespace harborrobot::tests::plugin_choice::test_always

HARBORROBOT_PLUGIN("alias-policy", "test-always", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::tests::plugin_choice::test_always::TestAlwaysPolicyFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

// The seed's alias policies, loaded as real plugins and driven with scripted DNS.
#include <gtest/gtest.h>

#include "harborrobot/plugin/host.h"
#include "mocks/fake_resolver.h"

namespace harborrobot::plugin {
namespace {

class AliasPolicyTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto loaded = host_.loadDirectory(HARBORROBOT_PLUGIN_DIR);
    ASSERT_TRUE(loaded) << loaded.error().message();
    resolver_.set("harbor-1.example.com", {"127.0.0.11"});
    resolver_.set("harbor-2.example.com", {"127.0.0.12"});
    resolver_.set("harbor.example.com", {"127.0.0.11"});
  }

  AliasDecision decide(std::string_view policyName, const AliasInput& input) {
    auto policy = host_.makeAliasPolicy(policyName);
    EXPECT_TRUE(policy) << policy.error().message();
    return (*policy)->decide(input, resolver_);
  }

  Host host_;
  testing::FakeResolver resolver_;
  const AliasInput harbor1_{"https://harbor-1.example.com", "https://harbor.example.com", {}};
  const AliasInput harbor2_{"https://harbor-2.example.com", "https://harbor.example.com", {}};
};

TEST_F(AliasPolicyTest, IfIpEqualGeneratesForTheSiteTheAliasPointsAt) {
  const auto one = decide("IfIPEqual", harbor1_);
  EXPECT_EQ(one.action, AliasAction::kGenerate);
  EXPECT_EQ(one.reason, "https://harbor.example.com resolves to 127.0.0.11, "
                        "https://harbor-1.example.com to 127.0.0.11");
  EXPECT_EQ(decide("IfIPEqual", harbor2_).action, AliasAction::kRemove);
}

TEST_F(AliasPolicyTest, IfIpEqualFollowsADnsSwitch) {
  resolver_.set("harbor.example.com", {"127.0.0.12"});
  EXPECT_EQ(decide("IfIPEqual", harbor1_).action, AliasAction::kRemove);
  EXPECT_EQ(decide("IfIPEqual", harbor2_).action, AliasAction::kGenerate);
}

TEST_F(AliasPolicyTest, IfIpEqualComparesAddressSetsIgnoringOrder) {
  resolver_.set("harbor-1.example.com", {"10.0.0.2", "10.0.0.1"});
  resolver_.set("harbor.example.com", {"10.0.0.1", "10.0.0.2"});
  EXPECT_EQ(decide("IfIPEqual", harbor1_).action, AliasAction::kGenerate);
  resolver_.set("harbor.example.com", {"10.0.0.1"});
  EXPECT_EQ(decide("IfIPEqual", harbor1_).action, AliasAction::kRemove);
}

TEST_F(AliasPolicyTest, IfIpEqualKeepsTheLastDecisionWhenDnsFails) {
  resolver_.fail("harbor.example.com", ErrorCode::kUnavailable);
  const auto decision = decide("IfIPEqual", harbor1_);
  EXPECT_EQ(decision.action, AliasAction::kKeep);
  EXPECT_EQ(decision.reason, "resolving harbor.example.com: lookup of harbor.example.com failed");
  resolver_.set("harbor.example.com", {"127.0.0.11"});
  resolver_.fail("harbor-1.example.com", ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(decide("IfIPEqual", harbor1_).action, AliasAction::kKeep);
}

TEST_F(AliasPolicyTest, IfIpEqualWithAliasIpsNeedsEveryAddressListed) {
  AliasInput input = harbor1_;
  input.aliasIps = {"192.168.1.1", "192.168.1.2"};
  resolver_.set("harbor.example.com", {"192.168.1.2"});
  const auto listed = decide("IfIPEqual", input);
  EXPECT_EQ(listed.action, AliasAction::kGenerate);
  EXPECT_EQ(listed.reason, "https://harbor.example.com resolves to 192.168.1.2, url.alias.ips is "
                           "192.168.1.1,192.168.1.2");
  resolver_.set("harbor.example.com", {"192.168.1.2", "192.168.1.3"});
  EXPECT_EQ(decide("IfIPEqual", input).action, AliasAction::kRemove);
  // With url.alias.ips set, the url's own addresses are not consulted.
  resolver_.fail("harbor-1.example.com", ErrorCode::kUnavailable);
  resolver_.set("harbor.example.com", {"192.168.1.1"});
  EXPECT_EQ(decide("IfIPEqual", input).action, AliasAction::kGenerate);
}

TEST_F(AliasPolicyTest, IfIpEqualReadsHostsFromUrlsWithPortsAndPaths) {
  resolver_.set("[::1]", {"bad"});
  resolver_.set("::1", {"::1"});
  const AliasInput input{"https://[::1]:8443/harbor", "https://harbor.example.com:443/", {}};
  resolver_.set("harbor.example.com", {"::1"});
  EXPECT_EQ(decide("IfIPEqual", input).action, AliasAction::kGenerate);
}

TEST_F(AliasPolicyTest, IfIpEqualKeepsWhenAUrlHasNoHost) {
  const auto decision = decide("IfIPEqual", {"https://harbor-1.example.com", "https://", {}});
  EXPECT_EQ(decision.action, AliasAction::kKeep);
  EXPECT_EQ(decision.reason,
            "url: \"https://\" has no host (expected e.g. https://harbor.example.com)");
}

TEST_F(AliasPolicyTest, AlwaysGeneratesWithoutAskingDns) {
  const auto decision = decide("Always", harbor2_);
  EXPECT_EQ(decision.action, AliasAction::kGenerate);
  EXPECT_EQ(resolver_.lookups(), 0);
}

} // namespace
} // namespace harborrobot::plugin

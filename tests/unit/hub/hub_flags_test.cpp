// The hub role's flags read into its settings, with the messages it logs.
#include "harborrobot/hub/hub_flags.h"

#include <gtest/gtest.h>

namespace harborrobot::hub {
namespace {

TEST(HubFlags, AgentsAreManagedOrExternal) {
  EXPECT_TRUE(*parseAgentsMode("managed"));
  EXPECT_FALSE(*parseAgentsMode("external"));
  auto other = parseAgentsMode("Managed");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.error().message(), "--agents: expected managed or external");
}

TEST(HubFlags, TheAgentServiceAccountDependsOnTheAgentsMode) {
  EXPECT_EQ(agentServiceAccountFor(std::nullopt, true), "harborrobot-agent");
  EXPECT_EQ(agentServiceAccountFor(std::nullopt, false), "");
  EXPECT_EQ(agentServiceAccountFor("custom", false), "custom");
  EXPECT_EQ(agentServiceAccountFor("*", true), "");
}

TEST(HubFlags, AgentEnvIsNameEqualsValue) {
  EXPECT_EQ(*parseAgentEnv("HTTPS_PROXY=http://proxy:3128"),
            (std::pair<std::string, std::string>{"HTTPS_PROXY", "http://proxy:3128"}));
  EXPECT_EQ(*parseAgentEnv("EMPTY="), (std::pair<std::string, std::string>{"EMPTY", ""}));
  EXPECT_EQ(*parseAgentEnv("A=b=c"), (std::pair<std::string, std::string>{"A", "b=c"}));
  EXPECT_FALSE(parseAgentEnv("NOVALUE"));
  EXPECT_FALSE(parseAgentEnv("=value"));
}

TEST(HubFlags, PendingTimeoutIsAPositiveGoDuration) {
  EXPECT_EQ(*parsePendingTimeout("15m"), std::chrono::minutes(15));
  EXPECT_EQ(*parsePendingTimeout("1h30m"), std::chrono::minutes(90));
  for (const auto* bad : {"0s", "-5m", "fifteen", ""}) {
    auto parsed = parsePendingTimeout(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message(),
              "--pending-timeout: expected a positive Go duration such as 15m");
  }
}

TEST(HubFlags, AllowedNamespacesJoinEveryCommaList) {
  EXPECT_EQ(allowedNamespaces({"kube-system,kube-public", "", "a,,b"}),
            (std::vector<std::string>{"kube-system", "kube-public", "a", "b"}));
}

TEST(HubFlags, ThePodIpFollowsTheExtraNames) {
  EXPECT_EQ(servingExtraNames({"hub.example.com"}, "10.0.0.7"),
            (std::vector<std::string>{"hub.example.com", "10.0.0.7"}));
  EXPECT_EQ(servingExtraNames({"hub.example.com"}, ""),
            (std::vector<std::string>{"hub.example.com"}));
}

TEST(HubFlags, TheLeaderLabelIsSetOrRemoved) {
  EXPECT_EQ(leaderLabelPatch(true).dump(),
            R"({"metadata":{"labels":{"harborrobot.io/hub-leader":"true"}}})");
  EXPECT_EQ(leaderLabelPatch(false).dump(),
            R"({"metadata":{"labels":{"harborrobot.io/hub-leader":null}}})");
}

TEST(HubFlags, TheImageIsThePodsFirstContainers) {
  const nlohmann::json pod = {
      {"spec",
       {{"containers", {{{"name", "hub"}, {"image", "reg/harborrobot:1.2"}}, {{"name", "x"}}}}}}};
  EXPECT_EQ(firstContainerImage(pod), "reg/harborrobot:1.2");
  EXPECT_FALSE(firstContainerImage(nlohmann::json::object()));
  EXPECT_FALSE(firstContainerImage({{"spec", {{"containers", {{{"name", "hub"}}}}}}}));
}

} // namespace
} // namespace harborrobot::hub

// The binding status summary behind `kubectl get harborrobotbinding`.
#include <gtest/gtest.h>

#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/targets.h"

namespace harborrobot::reconcile {
namespace {

using namespace std::chrono;

const TimePoint kStart = sys_days(year(2026) / 11 / 24) + hours(9);

NamespaceReport readyReport(std::string binding, TimePoint refreshed) {
  NamespaceReport report;
  report.binding = std::move(binding);
  report.ready = true;
  report.generation = 1;
  report.robotName = "robot";
  report.lastRefreshTime = refreshed;
  report.nextRefreshTime = refreshed + hours(6);
  return report;
}

TEST(BindingStatusTest, NewTargetsWaitForTheirAgents) {
  const auto status =
      summarize({1, {"team-ns1", "team-ns2"}, std::nullopt, "https://h"}, {}, kStart);
  ASSERT_EQ(status.namespaces.size(), 2u);
  EXPECT_EQ(status.namespaces[0].reason, "AgentNotReported");
  const auto* ready = status.condition("Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, "False");
  EXPECT_EQ(ready->reason, "NamespacesNotReady");
  EXPECT_EQ(ready->message, "2 of 2 namespaces not ready: team-ns1 (AgentNotReported), team-ns2 "
                            "(AgentNotReported)");
  EXPECT_EQ(ready->lastTransitionTime, kStart);
  EXPECT_FALSE(status.lastRefreshTime);
}

TEST(BindingStatusTest, ReadyWhenEveryTargetReportsAndTimesSpanTheNamespaces) {
  auto status = summarize({1, {"a", "b"}, std::nullopt, "https://h"}, {}, kStart);
  for (auto& entry : status.namespaces) {
    applyReport(entry, readyReport("x", entry.name == "a" ? kStart : kStart + minutes(5)), kStart);
  }
  const auto next =
      summarize({1, {"a", "b"}, std::nullopt, "https://h"}, status, kStart + minutes(6));
  const auto* ready = next.condition("Ready");
  EXPECT_EQ(ready->status, "True");
  EXPECT_EQ(ready->reason, "AllNamespacesReady");
  EXPECT_EQ(ready->message, "credentials are current in 2 namespaces");
  EXPECT_EQ(ready->lastTransitionTime, kStart + minutes(6));
  EXPECT_EQ(next.lastRefreshTime, kStart + minutes(5)) << "the latest refresh";
  EXPECT_EQ(next.nextRefreshTime, kStart + hours(6)) << "the earliest next refresh";

  const auto again =
      summarize({1, {"a", "b"}, std::nullopt, "https://h"}, next, kStart + minutes(9));
  EXPECT_EQ(again, next) << "nothing changed: the same status, the same transition time";
}

TEST(BindingStatusTest, AProblemOrNoTargetsIsNotReady) {
  const auto problem =
      summarize({2,
                 {"a"},
                 BindingProblem{"ConnectionNotFound", "secret harbor-robot-gen-system/harbor "
                                                      "not found"},
                 ""},
                {}, kStart);
  EXPECT_EQ(problem.condition("Ready")->reason, "ConnectionNotFound");
  EXPECT_EQ(problem.condition("Ready")->observedGeneration, 2);
  const auto none = summarize({1, {}, std::nullopt, "https://h"}, {}, kStart);
  EXPECT_EQ(none.condition("Ready")->reason, "NoTargetNamespaces");
}

TEST(BindingStatusTest, UntargetedNamespacesDropOut) {
  auto status = summarize({1, {"a", "b"}, std::nullopt, "https://h"}, {}, kStart);
  const auto fewer = summarize({1, {"b"}, std::nullopt, "https://h"}, status, kStart);
  ASSERT_EQ(fewer.namespaces.size(), 1u);
  EXPECT_EQ(fewer.namespaces[0].name, "b");
}

TEST(BindingStatusTest, JsonRoundTripsAndToleratesHandEdits) {
  auto status = summarize({1, {"a"}, std::nullopt, "https://h"}, {}, kStart);
  applyReport(status.namespaces[0], readyReport("x", kStart), kStart);
  status = summarize({1, {"a"}, std::nullopt, "https://h"}, status, kStart);
  EXPECT_EQ(parseBindingStatus(toJson(status)), status);

  auto edited = toJson(status);
  edited["namespaces"][0]["lastRefreshTime"] = "garbage";
  edited["conditions"].push_back(42);
  const auto parsed = parseBindingStatus(edited);
  ASSERT_EQ(parsed.namespaces.size(), 1u);
  EXPECT_FALSE(parsed.namespaces[0].lastRefreshTime);
  EXPECT_EQ(parsed.conditions.size(), 1u);
}

TEST(TargetsTest, NamesUnionSelectorAmongLiveNamespaces) {
  BindingSpec spec;
  spec.namespaceNames = {"team-ns1", "missing"};
  auto selector = labelSelectorFromJson(nlohmann::json{{"matchLabels", {{"team", "a"}}}}, "sel");
  ASSERT_TRUE(selector) << selector.error().message();
  spec.namespaceSelector = *selector;
  const std::vector<NamespaceInfo> namespaces = {{"team-ns1", {}, false},
                                                 {"labelled", {{"team", "a"}}, false},
                                                 {"going", {{"team", "a"}}, true},
                                                 {"other", {{"team", "b"}}, false}};
  EXPECT_EQ(targetNamespaces(spec, namespaces), (std::vector<std::string>{"labelled", "team-ns1"}));
}

} // namespace
} // namespace harborrobot::reconcile

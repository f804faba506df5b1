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

TEST(TargetsTest, ProtectedNamespacesAreTheClustersOwnAndTheHubs) {
  EXPECT_EQ(protectedNamespaces("harbor-robot-gen-system", {}),
            (std::set<std::string>{"harbor-robot-gen-system", "kube-node-lease", "kube-public",
                                   "kube-system"}));
  EXPECT_EQ(protectedNamespaces("hub-ns", {"kube-public", "hub-ns", "not-protected"}),
            (std::set<std::string>{"kube-node-lease", "kube-system"}));
}

TEST(TargetsTest, ASelectorNeverReachesAProtectedNamespace) {
  BindingSpec spec;
  spec.namespaceNames = {"harbor-robot-gen-system"};
  auto selector = labelSelectorFromJson(
      nlohmann::json{
          {"matchExpressions", {{{"key", "kubernetes.io/metadata.name"}, {"operator", "Exists"}}}}},
      "sel");
  ASSERT_TRUE(selector) << selector.error().message();
  spec.namespaceSelector = *selector;
  const auto label = [](const std::string& name) {
    return Labels{{"kubernetes.io/metadata.name", name}};
  };
  const std::vector<NamespaceInfo> namespaces = {
      {"kube-system", label("kube-system"), false},
      {"kube-public", label("kube-public"), false},
      {"team", label("team"), false},
      {"harbor-robot-gen-system", {}, false},
      {"kube-node-lease", label("kube-node-lease"), true}}; // terminating: neither
  const auto selection =
      selectTargets(spec, namespaces, protectedNamespaces("harbor-robot-gen-system", {}));
  EXPECT_EQ(selection.targets, (std::vector<std::string>{"team"}));
  EXPECT_EQ(selection.excluded,
            (std::vector<std::string>{"harbor-robot-gen-system", "kube-public", "kube-system"}));
  const auto allowed = selectTargets(
      spec, namespaces, protectedNamespaces("harbor-robot-gen-system", {"kube-system"}));
  EXPECT_EQ(allowed.targets, (std::vector<std::string>{"kube-system", "team"}));
}

TEST(BindingStatusTest, ExcludedNamespacesAreNamedInAConditionOfTheirOwn) {
  SummaryInputs inputs{1, {"team"}, std::nullopt, "https://h"};
  inputs.excluded = {"kube-system"};
  const auto status = summarize(inputs, {}, kStart);
  const auto* excluded = status.condition(kNamespacesExcludedCondition);
  ASSERT_NE(excluded, nullptr);
  EXPECT_EQ(excluded->status, "True");
  EXPECT_EQ(excluded->reason, "ProtectedNamespace");
  EXPECT_NE(excluded->message.find("kube-system is protected"), std::string::npos)
      << excluded->message;
  EXPECT_EQ(status.condition("Ready")->reason, "NamespacesNotReady");
  // It keeps its transition time while it holds, and goes when the spec changes.
  const auto later = summarize(inputs, status, kStart + hours(1));
  EXPECT_EQ(later.condition(kNamespacesExcludedCondition)->lastTransitionTime, kStart);
  inputs.excluded.clear();
  EXPECT_EQ(summarize(inputs, later, kStart + hours(2)).condition(kNamespacesExcludedCondition),
            nullptr);
}

TEST(BindingStatusTest, OnlyProtectedNamespacesSelectedSaysSoInReady) {
  SummaryInputs inputs{1, {}, std::nullopt, "https://h"};
  inputs.excluded = {"kube-public", "kube-system"};
  const auto status = summarize(inputs, {}, kStart);
  const auto* ready = status.condition("Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, "False");
  EXPECT_EQ(ready->reason, "ProtectedNamespace");
  EXPECT_NE(ready->message.find("kube-public, kube-system are protected"), std::string::npos)
      << ready->message;
}

TEST(BindingStatusTest, TheLastValidSpecSurvivesAnInvalidEditAndRoundTrips) {
  const LastValidSpec valid{4, nlohmann::json{{"refreshInterval", "6h"}}};
  SummaryInputs inputs{4, {"team-ns1"}, std::nullopt, "https://h"};
  inputs.validSpec = valid;
  const auto recorded = summarize(inputs, {}, kStart);
  ASSERT_TRUE(recorded.lastValidSpec);
  EXPECT_EQ(*recorded.lastValidSpec, valid);
  // The spec turns invalid: frozen at the recorded spec, the namespace entries
  // (what was issued) kept, Ready says why.
  const auto frozen = summarize(
      {5, {"team-ns1"}, BindingProblem{"InvalidSpec", "spec.refreshInterval: \"1s\" ..."}, "h"},
      recorded, kStart + minutes(1));
  ASSERT_TRUE(frozen.lastValidSpec);
  EXPECT_EQ(*frozen.lastValidSpec, valid);
  EXPECT_NE(frozen.find("team-ns1"), nullptr);
  EXPECT_EQ(frozen.condition("Ready")->reason, "InvalidSpec");
  EXPECT_EQ(parseBindingStatus(toJson(frozen)), frozen);
  // A hand-broken record is dropped, never the rest of the status.
  auto json = toJson(frozen);
  json["lastValidSpec"] = "garbage";
  EXPECT_FALSE(parseBindingStatus(json).lastValidSpec);
  EXPECT_EQ(parseBindingStatus(json).namespaces.size(), 1u);
}

} // namespace
} // namespace harborrobot::reconcile

// The binding status summary behind `kubectl get harborrobotbinding`.
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/targets.h"
#include "harborrobot/util/json_text.h"

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

// The records a test holds, by namespace.
struct Records {
  std::map<std::string, NamespaceStatus, std::less<>> byNamespace;
  RecordLookup lookup() const {
    return [this](std::string_view ns) -> const NamespaceStatus* {
      const auto found = byNamespace.find(ns);
      return found == byNamespace.end() ? nullptr : &found->second;
    };
  }
  void reportReady(const std::string& ns, TimePoint refreshed) {
    auto& state = byNamespace[ns];
    state.name = ns;
    applyReport(state, readyReport("x", refreshed), refreshed);
  }
};

const RecordLookup kNoRecords = [](std::string_view) -> const NamespaceStatus* { return nullptr; };

TEST(BindingStatusTest, NewTargetsWaitForTheirAgents) {
  const auto status =
      summarize({1, {"team-ns1", "team-ns2"}, std::nullopt, "https://h"}, kNoRecords, {}, kStart);
  EXPECT_EQ(status.targetNamespaces, 2);
  EXPECT_EQ(status.readyNamespaces, 0);
  ASSERT_EQ(status.notReadyNamespaces.size(), 2u);
  EXPECT_EQ(status.notReadyNamespaces[0], (NotReadyNamespace{"team-ns1", "AgentNotReported"}));
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
  Records records;
  records.reportReady("a", kStart);
  records.reportReady("b", kStart + minutes(5));
  const auto next = summarize({1, {"a", "b"}, std::nullopt, "https://h"}, records.lookup(), {},
                              kStart + minutes(6));
  const auto* ready = next.condition("Ready");
  EXPECT_EQ(ready->status, "True");
  EXPECT_EQ(ready->reason, "AllNamespacesReady");
  EXPECT_EQ(ready->message, "credentials are current in 2 namespaces");
  EXPECT_EQ(ready->lastTransitionTime, kStart + minutes(6));
  EXPECT_EQ(next.lastRefreshTime, kStart + minutes(5)) << "the latest refresh";
  EXPECT_EQ(next.nextRefreshTime, kStart + hours(6)) << "the earliest next refresh";
  EXPECT_EQ(next.readyNamespaces, 2);
  EXPECT_TRUE(next.notReadyNamespaces.empty());

  const auto again = summarize({1, {"a", "b"}, std::nullopt, "https://h"}, records.lookup(), next,
                               kStart + minutes(9));
  EXPECT_EQ(again, next) << "nothing changed: the same status, the same transition time";
}

TEST(BindingStatusTest, TheStatusSizeDoesNotGrowWithTheNamespaces) {
  std::vector<std::string> targets;
  Records records;
  for (int i = 0; i < 10000; ++i) {
    targets.push_back(fmt::format("ns-{:05}", i));
    if (i % 2 == 0) {
      records.reportReady(targets.back(), kStart);
    }
  }
  const auto status =
      summarize({1, targets, std::nullopt, "https://h"}, records.lookup(), {}, kStart);
  EXPECT_EQ(status.targetNamespaces, 10000);
  EXPECT_EQ(status.readyNamespaces, 5000);
  ASSERT_EQ(status.notReadyNamespaces.size(), kNotReadyNamed);
  EXPECT_EQ(status.notReadyNamespaces[0].name, "ns-00001");
  EXPECT_EQ(status.condition("Ready")->message,
            "5000 of 10000 namespaces not ready: ns-00001 (AgentNotReported), ns-00003 "
            "(AgentNotReported), ns-00005 (AgentNotReported), ns-00007 (AgentNotReported), "
            "ns-00009 (AgentNotReported) and 4995 more");
  EXPECT_LT(jsonText(toJson(status)).size(), 2048u);
}

TEST(BindingStatusTest, AProblemOrNoTargetsIsNotReady) {
  const auto problem =
      summarize({2,
                 {"a"},
                 BindingProblem{"ConnectionNotFound", "secret harbor-robot-gen-system/harbor "
                                                      "not found"},
                 ""},
                kNoRecords, {}, kStart);
  EXPECT_EQ(problem.condition("Ready")->reason, "ConnectionNotFound");
  EXPECT_EQ(problem.condition("Ready")->observedGeneration, 2);
  const auto none = summarize({1, {}, std::nullopt, "https://h"}, kNoRecords, {}, kStart);
  EXPECT_EQ(none.condition("Ready")->reason, "NoTargetNamespaces");
}

TEST(BindingStatusTest, ANotReadyRecordKeepsItsReason) {
  Records records;
  records.byNamespace["a"] = NamespaceStatus{.name = "a", .reason = "CredentialRejected"};
  const auto status =
      summarize({1, {"a"}, std::nullopt, "https://h"}, records.lookup(), {}, kStart);
  ASSERT_EQ(status.notReadyNamespaces.size(), 1u);
  EXPECT_EQ(status.notReadyNamespaces[0].reason, "CredentialRejected");
}

TEST(BindingStatusTest, JsonRoundTripsAndToleratesHandEdits) {
  Records records;
  records.reportReady("a", kStart);
  const auto status =
      summarize({1, {"a", "b"}, std::nullopt, "https://h"}, records.lookup(), {}, kStart);
  EXPECT_EQ(parseBindingStatus(toJson(status)), status);

  auto edited = toJson(status);
  edited["lastRefreshTime"] = "garbage";
  edited["conditions"].push_back(42);
  edited["notReadyNamespaces"].push_back("garbage");
  const auto parsed = parseBindingStatus(edited);
  EXPECT_FALSE(parsed.lastRefreshTime);
  EXPECT_EQ(parsed.conditions.size(), 1u);
  EXPECT_EQ(parsed.notReadyNamespaces.size(), 1u);
  EXPECT_EQ(parsed.targetNamespaces, 2);
}

TEST(BindingStatusTest, TheHubsStatusReadsBackToTheSameJson) {
  // `kubectl harborrobot status` prints what it parsed: the hub's own text must
  // come back unchanged, times included.
  const auto written = nlohmann::json::parse(R"json({
    "observedGeneration": 3,
    "conditions": [{"type": "Ready", "status": "False", "reason": "NamespacesNotReady",
                    "message": "1 of 2 namespaces not ready: b (AgentNotReported)",
                    "observedGeneration": 3, "lastTransitionTime": "2026-11-24T09:00:00Z"}],
    "targetNamespaces": 2, "readyNamespaces": 1,
    "notReadyNamespaces": [{"name": "b", "reason": "AgentNotReported"}],
    "lastRefreshTime": "2026-11-24T09:00:00Z", "nextRefreshTime": "2026-11-24T15:00:00Z"})json");
  EXPECT_EQ(toJson(parseBindingStatus(written)), written);
}

TEST(BindingStatusTest, AConditionIsWrittenAsTheStatusWritesIt) {
  const Condition ready{.type = "Ready",
                        .status = "True",
                        .reason = "AllNamespacesReady",
                        .message = "credentials are current in 1 namespace",
                        .observedGeneration = 2,
                        .lastTransitionTime = kStart};
  EXPECT_EQ(toJson(ready), nlohmann::json::parse(R"({"type": "Ready", "status": "True",
    "reason": "AllNamespacesReady", "message": "credentials are current in 1 namespace",
    "observedGeneration": 2, "lastTransitionTime": "2026-11-24T09:00:00Z"})"));
  EXPECT_FALSE(toJson(Condition{.type = "Ready"}).contains("lastTransitionTime"));
  BindingStatus status;
  status.conditions = {ready};
  EXPECT_EQ(toJson(status)["conditions"], nlohmann::json::array({toJson(ready)}));
}

TEST(BindingStatusTest, TheStateOfRelease01IsReadForTheMoveToRecords) {
  const auto legacy = parseBindingStatus(nlohmann::json::parse(R"({
    "namespaces": [{"name": "team-ns1", "ready": true, "robotName": "r", "secretGeneration": 3,
                    "activeSince": "2026-11-24T09:00:00Z"}, {"ready": true}]})"));
  ASSERT_EQ(legacy.legacyNamespaces.size(), 1u) << "an entry without a name is dropped";
  EXPECT_EQ(legacy.legacyNamespaces[0].name, "team-ns1");
  EXPECT_EQ(legacy.legacyNamespaces[0].secretGeneration, 3);
  EXPECT_EQ(legacy.legacyNamespaces[0].activeSince, kStart);
  EXPECT_FALSE(toJson(legacy).contains("namespaces")) << "never written back";
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
  const auto status = summarize(inputs, kNoRecords, {}, kStart);
  const auto* excluded = status.condition(kNamespacesExcludedCondition);
  ASSERT_NE(excluded, nullptr);
  EXPECT_EQ(excluded->status, "True");
  EXPECT_EQ(excluded->reason, "ProtectedNamespace");
  EXPECT_NE(excluded->message.find("kube-system is protected"), std::string::npos)
      << excluded->message;
  EXPECT_EQ(status.condition("Ready")->reason, "NamespacesNotReady");
  // It keeps its transition time while it holds, and goes when the spec changes.
  const auto later = summarize(inputs, kNoRecords, status, kStart + hours(1));
  EXPECT_EQ(later.condition(kNamespacesExcludedCondition)->lastTransitionTime, kStart);
  inputs.excluded.clear();
  EXPECT_EQ(summarize(inputs, kNoRecords, later, kStart + hours(2))
                .condition(kNamespacesExcludedCondition),
            nullptr);
}

TEST(BindingStatusTest, OnlyProtectedNamespacesSelectedSaysSoInReady) {
  SummaryInputs inputs{1, {}, std::nullopt, "https://h"};
  inputs.excluded = {"kube-public", "kube-system"};
  const auto status = summarize(inputs, kNoRecords, {}, kStart);
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
  const auto recorded = summarize(inputs, kNoRecords, {}, kStart);
  ASSERT_TRUE(recorded.lastValidSpec);
  EXPECT_EQ(*recorded.lastValidSpec, valid);
  // The spec turns invalid: frozen at the recorded spec, Ready says why.
  const auto frozen = summarize(
      {5, {"team-ns1"}, BindingProblem{"InvalidSpec", "spec.refreshInterval: \"1s\" ..."}, "h"},
      kNoRecords, recorded, kStart + minutes(1));
  ASSERT_TRUE(frozen.lastValidSpec);
  EXPECT_EQ(*frozen.lastValidSpec, valid);
  EXPECT_EQ(frozen.targetNamespaces, 1);
  EXPECT_EQ(frozen.condition("Ready")->reason, "InvalidSpec");
  EXPECT_EQ(parseBindingStatus(toJson(frozen)), frozen);
  // A hand-broken record is dropped, never the rest of the status.
  auto json = toJson(frozen);
  json["lastValidSpec"] = "garbage";
  EXPECT_FALSE(parseBindingStatus(json).lastValidSpec);
  EXPECT_EQ(parseBindingStatus(json).targetNamespaces, 1);
}

} // namespace
} // namespace harborrobot::reconcile

// `kubectl harborrobot status NAME`: the report built from what was read, and
// its text form.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/binding_report.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

Json binding() {
  return Json::parse(R"({
    "metadata": {"name": "team-pull", "uid": "u-1", "generation": 3,
                 "creationTimestamp": "2026-12-01T00:00:00Z"},
    "spec": {
      "namespaces": {"names": ["team-a", "team-b", "team-c"]},
      "generatedSecret": {"name": "team-pull-harbor-pull"},
      "serviceAccount": {"name": "default"},
      "harbor": {"project": "team",
                 "robot": {"access": [{"resource": "repository", "action": "pull"}]},
                 "secret": {"name": "harbor", "namespace": "harbor-robot-gen-system"}},
      "refreshInterval": "6h"},
    "status": {
      "observedGeneration": 2,
      "conditions": [{"type": "Ready", "status": "False", "reason": "NamespacesNotReady",
                      "message": "1 of 3 namespaces is not ready",
                      "lastTransitionTime": "2026-12-05T10:00:00Z"}],
      "targetNamespaces": 3, "readyNamespaces": 1,
      "notReadyNamespaces": [{"name": "team-c", "reason": "AgentNotReporting"}]}})");
}

BindingReadings readings() {
  BindingReadings r;
  r.binding = binding();
  reconcile::CredentialRecord record;
  record.binding = "team-pull";
  record.state.name = "team-a";
  record.state.ready = true;
  record.state.robotName = "robot$team+team-pull-team-a-1";
  record.state.secretGeneration = 4;
  r.records = {record};
  r.secrets = std::map<std::string, Json>{
      {"team-a",
       {{"type", "kubernetes.io/dockerconfigjson"},
        {"metadata",
         {{"annotations",
           {{"harborrobot.io/generation", "4"},
            {"harborrobot.io/rotated-at", "2026-12-05T09:00:00Z"}}}}}}}};
  r.accounts = std::map<std::string, Json>{
      {"team-a", {{"imagePullSecrets", {{{"name", "team-pull-harbor-pull"}}}}}},
      {"team-c", {{"imagePullSecrets", Json::array()}}}};
  r.events = recentEvents({{"items",
                            {{{"type", "Normal"},
                              {"reason", "Rotated"},
                              {"message", "team-a"},
                              {"count", 2},
                              {"lastTimestamp", "2026-12-05T09:00:00Z"}}}}});
  return r;
}

TEST(BindingReport, ReadinessIsUnknownUntilTheHubSaysOtherwise) {
  EXPECT_EQ(readinessOf({}).status, "Unknown");
  const auto ready = readinessOf(reconcile::parseBindingStatus(binding()["status"]));
  EXPECT_EQ(ready.status, "False");
  EXPECT_EQ(ready.reason, "NamespacesNotReady");
}

TEST(BindingReport, EachNamespaceFromItsRecordOrTheBindingsNotReadyList) {
  const auto report = bindingReport(readings());
  EXPECT_EQ(report["ready"], "False");
  EXPECT_EQ(report["generation"], 3);
  EXPECT_EQ(report["observedGeneration"], 2);
  ASSERT_EQ(report["namespaces"].size(), 2U);
  const auto& a = report["namespaces"][0];
  EXPECT_EQ(a["name"], "team-a");
  EXPECT_EQ(a["ready"], true);
  EXPECT_EQ(a["secret"], Json({{"name", "team-pull-harbor-pull"},
                               {"exists", true},
                               {"type", "kubernetes.io/dockerconfigjson"},
                               {"generation", "4"},
                               {"rotatedAt", "2026-12-05T09:00:00Z"}}));
  EXPECT_EQ(a["serviceAccount"]["attached"], true);
  const auto& c = report["namespaces"][1];
  EXPECT_EQ(c["name"], "team-c");
  EXPECT_EQ(c["reason"], "AgentNotReporting");
  EXPECT_EQ(c["secret"]["exists"], false);
  EXPECT_EQ(c["serviceAccount"]["attached"], false);
}

TEST(BindingReport, WhatCouldNotBeReadIsSaidNotGuessed) {
  auto r = readings();
  r.secrets = tl::unexpected(Error(ErrorCode::kPermissionDenied, "secrets is forbidden"));
  r.accounts = std::map<std::string, Json>{};
  const auto report = bindingReport(r);
  const auto& a = report["namespaces"][0];
  EXPECT_EQ(a["secret"]["exists"], false);
  EXPECT_EQ(a["secret"]["error"], "secrets is forbidden");
  EXPECT_EQ(a["serviceAccount"]["error"], "serviceaccount default not found");
}

TEST(BindingReport, RecentEventsAreTheNewestTenOldestFirst) {
  Json items = Json::array();
  for (int minute = 59; minute >= 40; --minute) {
    items.push_back({{"type", "Normal"},
                     {"reason", "R" + std::to_string(minute)},
                     {"lastTimestamp", "2026-12-05T10:" + std::to_string(minute) + ":00Z"}});
  }
  const auto recent = recentEvents({{"items", items}});
  ASSERT_EQ(recent.size(), 10U);
  EXPECT_EQ(recent[0]["reason"], "R50");
  EXPECT_EQ(recent[9]["reason"], "R59");
  EXPECT_EQ(recent[9]["count"], 1);
}

TEST(BindingReport, TheTextShowsWhatTheReportHolds) {
  const auto text = formatBindingReport(bindingReport(readings()),
                                        [](std::string_view value, std::string_view ansi) {
                                          return "<" + std::string(ansi) + ">" + std::string(value);
                                        });
  EXPECT_THAT(text, ::testing::StartsWith("Name:            team-pull\n"
                                          "Ready:           <31>False (NamespacesNotReady)\n"
                                          "Message:         1 of 3 namespaces is not ready\n"
                                          "Project:         team\n"
                                          "Connection:      harbor-robot-gen-system/harbor\n"
                                          "Access:          repository:pull\n"
                                          "Refresh:         every 6h; last -, next -\n"
                                          "Generation:      3 (the hub has seen 2; a change is "
                                          "in progress)\n"
                                          "Namespaces:      1 ready of 3\n"));
  EXPECT_THAT(text, HasSubstr("  team-a      True    robot$team+team-pull-team-a-1   4"));
  EXPECT_THAT(text, HasSubstr("NOT attached     AgentNotReporting\n"));
  EXPECT_THAT(text, HasSubstr("Events:\n  Normal   Rotated                  team-a (x2, "));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("dockerconfigjson\":")));
}

TEST(BindingReport, OneSummaryRowPerBinding) {
  const auto summary = summarizeBinding(binding());
  ASSERT_EQ(summary.row.size(), kSummaryHeaders.size());
  EXPECT_EQ(summary.row[0], "team-pull");
  EXPECT_EQ(summary.row[1], "False");
  EXPECT_EQ(summary.row[2], "1/3");
  EXPECT_EQ(summary.row[3], "team");
  EXPECT_EQ(summary.row[4], "-");
  EXPECT_EQ(summary.row[6], "NamespacesNotReady");
  EXPECT_EQ(summary.entry["namespacesReady"], 1);
  EXPECT_EQ(summary.entry["namespaces"], 3);
  EXPECT_EQ(summary.entry["lastRefreshTime"], "");
}

} // namespace
} // namespace harborrobot::cli

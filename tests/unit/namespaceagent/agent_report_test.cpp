// The namespace agent's report: each binding's entry from its state and Secret,
// and the gate that sends only news and an hourly heartbeat.
#include "harborrobot/namespaceagent/agent_report.h"

#include <gtest/gtest.h>

#include "harborrobot/namespaceagent/agent_timing.h"

namespace harborrobot::namespaceagent {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kNow = TimePoint{} + hours(24 * 365 * 55);

reconcile::AgentBinding binding() {
  reconcile::AgentBinding binding;
  binding.name = "team-pull";
  binding.secretName = "harbor-pull";
  binding.refreshInterval = hours(6);
  return binding;
}

TEST(NamespaceReport, CarriesTheStateAndTheSecretsGenerationRobotAndRefreshTimes) {
  BindingState state;
  state.ready = true;
  state.aliasWanted = true;
  state.verifiedAt = kNow - minutes(5);
  const auto entry = namespaceReport(binding(), state, SecretSummary{4, "team-pull-4", kNow});
  EXPECT_EQ(entry.binding, "team-pull");
  EXPECT_TRUE(entry.ready);
  EXPECT_TRUE(entry.aliasActive);
  EXPECT_EQ(entry.credentialVerifiedAt, kNow - minutes(5));
  EXPECT_EQ(entry.generation, 4);
  EXPECT_EQ(entry.robotName, "team-pull-4");
  EXPECT_EQ(entry.lastRefreshTime, kNow);
  EXPECT_EQ(entry.nextRefreshTime, kNow + hours(6));
  EXPECT_EQ(entry.reason, "");
  EXPECT_EQ(entry.lastError, "");
}

TEST(NamespaceReport, WithoutASecretOnlyTheStateIsReported) {
  BindingState state;
  state.reason = "ConnectionUnavailable";
  const auto entry = namespaceReport(binding(), state, std::nullopt);
  EXPECT_FALSE(entry.ready);
  EXPECT_FALSE(entry.aliasActive);
  EXPECT_EQ(entry.reason, "ConnectionUnavailable");
  EXPECT_EQ(entry.generation, 0);
  EXPECT_EQ(entry.lastRefreshTime, std::nullopt);
  EXPECT_EQ(entry.nextRefreshTime, std::nullopt);
}

TEST(NamespaceReport, ASecretWithoutARotationTimeHasNoNextRefresh) {
  const auto entry = namespaceReport(binding(), {}, SecretSummary{2, "r", std::nullopt});
  EXPECT_EQ(entry.generation, 2);
  EXPECT_EQ(entry.nextRefreshTime, std::nullopt);
}

TEST(NamespaceReport, TheLastErrorWinsOverACheckProblem) {
  BindingState state;
  state.checkProblem = "tls: unknown authority";
  EXPECT_EQ(namespaceReport(binding(), state, std::nullopt).lastError, "tls: unknown authority");
  state.lastError = "hub: unavailable";
  EXPECT_EQ(namespaceReport(binding(), state, std::nullopt).lastError, "hub: unavailable");
}

TEST(ReportWanted, AnEmptyReportIsSentOnlyAfterAPassThatSucceeded) {
  EXPECT_TRUE(reportWanted(true, true));
  EXPECT_TRUE(reportWanted(false, true));
  EXPECT_TRUE(reportWanted(true, false));
  EXPECT_FALSE(reportWanted(false, false));
}

TEST(ReportGate, TheFirstReportIsNews) {
  const ReportGate gate;
  EXPECT_TRUE(gate.isNews("{}", kNow));
}

TEST(ReportGate, TheSameReportIsHeldBackUntilTheHeartbeat) {
  ReportGate gate;
  gate.noteSent("{\"a\":1}", kNow);
  EXPECT_FALSE(gate.isNews("{\"a\":1}", kNow + minutes(59)));
  EXPECT_TRUE(gate.isNews("{\"a\":1}", kNow + kReportHeartbeat));
  EXPECT_TRUE(gate.isNews("{\"a\":2}", kNow + minutes(1)));
}

TEST(ReportGate, AReportThatWasNotDeliveredIsStillNews) {
  ReportGate gate;
  gate.noteSent("{\"a\":1}", kNow);
  // Not delivered: noteSent is not called for {"a":2}.
  EXPECT_TRUE(gate.isNews("{\"a\":2}", kNow + minutes(1)));
  EXPECT_TRUE(gate.isNews("{\"a\":2}", kNow + minutes(2)));
}

} // namespace
} // namespace harborrobot::namespaceagent

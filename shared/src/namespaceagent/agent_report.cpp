// A namespace agent's report to the hub and the gate that sends only news.
#include "harborrobot/namespaceagent/agent_report.h"

#include "harborrobot/namespaceagent/agent_timing.h"

namespace harborrobot::namespaceagent {

reconcile::NamespaceReport namespaceReport(const reconcile::AgentBinding& binding,
                                           const BindingState& state,
                                           const std::optional<SecretSummary>& secret) {
  reconcile::NamespaceReport entry;
  entry.binding = binding.name;
  entry.ready = state.ready;
  entry.reason = state.reason;
  entry.lastError = state.lastError.empty() ? state.checkProblem : state.lastError;
  entry.aliasActive = state.aliasWanted.value_or(false);
  entry.credentialVerifiedAt = state.verifiedAt;
  if (secret) {
    entry.generation = secret->generation;
    entry.robotName = secret->robotName;
    entry.lastRefreshTime = secret->rotatedAt;
    if (secret->rotatedAt) {
      entry.nextRefreshTime = *secret->rotatedAt + std::chrono::duration_cast<TimePoint::duration>(
                                                       binding.refreshInterval);
    }
  }
  return entry;
}

bool reportWanted(bool passSucceeded, bool hasBindings) {
  return passSucceeded || hasBindings;
}

bool ReportGate::isNews(const std::string& text, TimePoint now) const {
  return text != lastText_ || now - lastSentAt_ >= kReportHeartbeat;
}

void ReportGate::noteSent(std::string text, TimePoint now) {
  lastText_ = std::move(text);
  lastSentAt_ = now;
}

} // namespace harborrobot::namespaceagent

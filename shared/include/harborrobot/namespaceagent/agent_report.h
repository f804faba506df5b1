// What a namespace agent tells the hub: one entry per binding built from its
// state and its Secret, and the gate that sends only news (and a heartbeat).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "harborrobot/namespaceagent/binding_state.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::namespaceagent {

// What the binding's Secret says, when there is one.
struct SecretSummary {
  std::int64_t generation = 0;
  std::string robotName{};
  std::optional<TimePoint> rotatedAt{};
};

reconcile::NamespaceReport namespaceReport(const reconcile::AgentBinding& binding,
                                           const BindingState& state,
                                           const std::optional<SecretSummary>& secret);

// An empty report tells the hub this namespace holds nothing of ours any
// more; it is sent only once that is true.
bool reportWanted(bool passSucceeded, bool hasBindings);

// Only news is sent (and a heartbeat): each report becomes a status write.
class ReportGate {
public:
  bool isNews(const std::string& text, TimePoint now) const;
  void noteSent(std::string text, TimePoint now);

private:
  std::string lastText_;
  TimePoint lastSentAt_{};
};

} // namespace harborrobot::namespaceagent

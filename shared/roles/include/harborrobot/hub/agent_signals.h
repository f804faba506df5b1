// The hub's nudge to namespace agents. In every target namespace the hub keeps
// a small ConfigMap, harborrobot-signal, whose annotation is a fingerprint of
// what the hub API tells that namespace's agent (its bindings, their
// generations and settings, rotate requests). The agent watches only that
// object in its own namespace: a change reaches it at once, while the binding
// status writes (large, and one per batch of agent reports) reach no agent.
// Watching the bindings themselves sent every status write to every agent,
// which grew with the square of the namespaces.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/hub/agent_signalling.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/observability/logger.h"

namespace harborrobot::hub {

class AgentSignals final : public AgentSignalling {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  AgentSignals(kube::Client& client, const Logger& logger, Clock clock = {});

  // Makes each namespace's signal carry its fingerprint, writing only those that
  // changed, and removes the signals of namespaces not listed. A namespace that
  // cannot be written (being deleted) is logged and tried again next time;
  // the error returned is the first such failure.
  [[nodiscard]] Status sync(const std::map<std::string, std::string>& fingerprints) override;

private:
  [[nodiscard]] Status write(const std::string& ns, const std::string& fingerprint);

  kube::Client& client_;
  const Logger& logger_;
  Clock clock_;
  // written_ is read back from the cluster now and then: a replica that led
  // before may hold an old picture, and a deleted signal is put back.
  std::optional<std::chrono::steady_clock::time_point> listedAt_;
  std::map<std::string, std::string> written_; // namespace → fingerprint stored
};

// How long the picture of what was written is trusted before it is listed again.
inline constexpr auto kAgentSignalRelist = std::chrono::minutes(10);

// The signal ConfigMap of namespace `ns` carrying `fingerprint`.
kube::Json agentSignalObject(std::string_view ns, std::string_view fingerprint);

// Puts `fingerprint` into a signal's annotation; false when it is there already
// (no write).
bool setSignalFingerprint(kube::Json& signal, std::string_view fingerprint);

// The fingerprint each listed signal carries, by namespace ("" when none).
std::map<std::string, std::string> signalFingerprints(const kube::Json& list);

} // namespace harborrobot::hub

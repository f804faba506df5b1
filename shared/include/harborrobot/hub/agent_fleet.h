// The agent fleet: every target namespace gets its agent (when the hub manages
// them) and a signal whose fingerprint changes when what its agent is told
// changes; agents of namespaces no longer targeted go once they have cleaned up.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/hub/agent_deployment.h"
#include "harborrobot/hub/agent_signalling.h"
#include "harborrobot/hub/binding_catalog.h"
#include "harborrobot/hub/removable_agents.h"

namespace harborrobot::hub {

// What the fleet should look like: the namespaces that need an agent, and each
// target namespace's fingerprint.
struct FleetView {
  std::set<std::string> namespaces;
  std::map<std::string, std::string> fingerprints;
};

// Reads every binding once: one pass over all namespaces for many binding changes.
FleetView gatherFleetView(const BindingCatalog& catalog);

class AgentFleet {
public:
  // Asks for another sync after a delay.
  using Requeue = std::function<void(std::chrono::milliseconds after)>;

  // `deployer` null: the agents are installed externally (GitOps); only the
  // signals are kept.
  AgentFleet(AgentSignalling& signals, AgentDeployment* deployer,
             std::function<Status()> stillLeading, Requeue requeue);

  [[nodiscard]] Status sync(const FleetView& view);
  // The agent of `ns` reported no bindings. Returns whether a sync should
  // follow now (the hub manages agents, so that one may go).
  bool reportedEmpty(std::string_view ns);

private:
  AgentSignalling& signals_; // used by sync only (one worker at a time)
  AgentDeployment* deployer_;
  std::function<Status()> stillLeading_;
  Requeue requeue_;
  std::mutex mutex_;
  RemovableAgents removable_;
};

} // namespace harborrobot::hub

// The credential service behind the hub API: what an agent may ask of the hub
// for its namespace (its bindings, a new credential, an activation, a report),
// answered from the catalog and the records. The API handlers call this and
// nothing else of the hub.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/hub/agent_fleet.h"
#include "harborrobot/hub/binding_catalog.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/hub/hub_api_operations.h"
#include "harborrobot/hub/issued_credentials.h"
#include "harborrobot/hub/robot_cleanup.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::hub {

struct CredentialServiceSettings {
  std::string clusterId{};
  std::chrono::seconds pendingTimeout{std::chrono::minutes(15)};
  // Queues a key (a binding, or the agents' sync) now.
  std::function<void(const std::string& key)> enqueue = [](const std::string&) {};
  // The key of the agents' sync.
  std::string agentsKey{};
};

class CredentialService final : public HubApiOperations {
public:
  CredentialService(const BindingCatalog& catalog, CredentialRecords& records,
                    RobotCleanup& cleanup, AgentFleet& fleet, const Logger& logger,
                    kube::EventRecorder& events, CredentialServiceSettings settings);

  // The bindings serving `ns`, sorted by name, as its agent is told them.
  [[nodiscard]] Result<std::vector<reconcile::AgentBinding>>
  bindingsFor(std::string_view ns) override;
  // A robot for (binding, ns) at the requested generation; the same rotation id
  // gets the same credential while this hub remembers it.
  [[nodiscard]] Result<reconcile::IssuedCredential>
  issue(std::string_view ns, std::string_view binding,
        const reconcile::CredentialRequest& request) override;
  // The agent of `ns` holds `activation.generation` now: its record says so.
  [[nodiscard]] Status activate(std::string_view ns, std::string_view binding,
                                const reconcile::Activation& activation) override;
  // The agent's state, into its namespace's records.
  [[nodiscard]] Status report(std::string_view ns, const reconcile::AgentReport& report) override;

private:
  // Whether this hub issued `generation` for `ns` (only such a generation may
  // be activated): in its recent memory, or our robot for it is in Harbor.
  [[nodiscard]] Status wasIssued(const Resolved& resolved, std::string_view ns,
                                 std::int64_t generation);

  const BindingCatalog& catalog_;
  CredentialRecords& records_;
  RobotCleanup& cleanup_;
  AgentFleet& fleet_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  CredentialServiceSettings settings_;
  IssuedCredentials issued_;
};

} // namespace harborrobot::hub

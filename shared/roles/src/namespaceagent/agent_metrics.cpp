// Registration of the namespace agent's metrics.
#include "harborrobot/namespaceagent/agent_metrics.h"

namespace harborrobot::namespaceagent {

Result<AgentMetrics> registerAgentMetrics(metrics::Registry& registry) {
  auto passes = registry.counter("harborrobot_agent_passes_total",
                                 "Reconcile passes of this namespace, by result.", {"result"});
  auto rotations =
      registry.counter("harborrobot_agent_rotations_total",
                       "Credential rotations by trigger and result.", {"reason", "result"});
  auto verifications = registry.counter(
      "harborrobot_agent_credential_verifications_total",
      "Checks of a credential with Harbor's token service, by result.", {"result"});
  auto reports = registry.counter("harborrobot_agent_status_reports_total",
                                  "Status reports to the hub, by result.", {"result"});
  auto ready = registry.gauge("harborrobot_agent_binding_ready",
                              "1 while the binding's Secret here is ready, else 0.", {"binding"});
  for (const auto* failed : {&passes, &rotations, &verifications, &reports}) {
    if (!*failed) {
      return makeError(failed->error());
    }
  }
  if (!ready) {
    return makeError(ready.error());
  }
  return AgentMetrics{*passes, *rotations, *verifications, *reports, *ready};
}

} // namespace harborrobot::namespaceagent

// The namespace agent's /metrics: what an operator alerts on (rotations that
// fail, credentials Harbor refuses, bindings not ready, a hub that does not answer).
#pragma once

#include "harborrobot/core/result.h"
#include "harborrobot/observability/metrics.h"

namespace harborrobot::namespaceagent {

struct AgentMetrics {
  metrics::Counter* passes = nullptr;        // {result}: ok, failed, hub_unavailable
  metrics::Counter* rotations = nullptr;     // {reason, result}
  metrics::Counter* verifications = nullptr; // {result}: accepted, refused, unavailable
  metrics::Counter* reports = nullptr;       // {result}: sent, unchanged, failed
  metrics::Gauge* bindingReady = nullptr;    // {binding}: 1 ready, 0 not
};

[[nodiscard]] Result<AgentMetrics> registerAgentMetrics(metrics::Registry& registry);

} // namespace harborrobot::namespaceagent

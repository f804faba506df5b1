// The Kubernetes manifests that run the failover watchdog, in the shape of the DR
// guide's (ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap, Deployment)
// for the harborrobot-agent image, with the operator's scripts embedded.
#pragma once

#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/failover/config.h"

namespace harborrobot::failover {

struct ManifestInput {
  std::string ns = "harbor-dr";
  std::string name = "disaster-recovery";
  std::string image{};
  std::string conditionScript{}; // script contents
  std::string startScript{};
  std::string stopScript{};
  std::string statusScript{};
  std::string checkInterval = "10s";
  int failureThreshold = 3;
  std::string scriptTimeout = "120s";
};

// Multi-document YAML. The embedded config.yaml is checked with
// parseFailoverConfig before anything is returned.
[[nodiscard]] Result<std::string> renderFailoverManifest(const ManifestInput& input);

} // namespace harborrobot::failover

// What every harborrobot Pod has in common, the hub's and each namespace
// agent's alike, so a hardening or a probe change reaches both.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace harborrobot::install {

// POD_NAME, POD_NAMESPACE and POD_IP from the downward API: the roles listen
// on $(POD_IP) and name themselves in Events and Leases.
nlohmann::json downwardApiEnv();

// Ready once the role serves (/readyz every 2 s); restarted after a minute
// without /healthz.
void addHealthProbes(nlohmann::json& container);

// The restricted Pod Security Standard: a fixed non-root user, no privilege
// escalation, no capabilities, a read-only root and the runtime's seccomp
// profile.
nlohmann::json restrictedPodSecurityContext();
nlohmann::json restrictedContainerSecurityContext();

// {"name": ..., "namespace": ..., "labels": ...}; no namespace when empty.
nlohmann::json objectMeta(std::string_view name, std::string_view ns, nlohmann::json labels);

} // namespace harborrobot::install

// The names harborrobot writes into Kubernetes objects (labels, annotations,
// the names of what it creates), each defined once: they outlive a release,
// since objects written by one version are read by the next.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot::wire {

// Kubernetes' recommended labels (docs: "Recommended Labels").
inline constexpr std::string_view kNameLabel = "app.kubernetes.io/name";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kVersionLabel = "app.kubernetes.io/version";
inline constexpr std::string_view kPartOfLabel = "app.kubernetes.io/part-of";
// Objects the hub and the agents write (agents, signals, Secrets, records).
inline constexpr std::string_view kManagedByValue = "harborrobot";
// Objects `kubectl harborrobot install` applies (CRDs, the hub, its RBAC): a
// different manager, so neither's clean-up selects the other's objects.
inline constexpr std::string_view kInstalledByValue = "kubectl-harborrobot";

// What `install` creates and the hub makes: the system namespace (the hub and
// the connection Secrets live there), the hub's name (its Deployment, Service,
// ServiceAccount, roles and Lease), and in each target namespace the agent's
// name (its Deployment, ServiceAccount, RoleBinding and the ClusterRole that
// binding names), the hub's CA ConfigMap and the signal ConfigMap through which
// the hub tells an agent that its bindings changed.
inline constexpr std::string_view kSystemNamespace = "harbor-robot-gen-system";
inline constexpr std::string_view kHubName = "harborrobot-hub";
inline constexpr std::string_view kAgentName = "harborrobot-agent";
inline constexpr std::string_view kHubCaName = "harborrobot-hub-ca";
inline constexpr std::string_view kAgentSignalName = "harborrobot-signal";
inline constexpr std::string_view kBindingCrdName =
    "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io";
// The audience of the projected token an agent shows the hub: a token minted
// for the Kubernetes API is refused by the hub, and the other way round.
inline constexpr std::string_view kHubTokenAudience = "harborrobot-hub";
// The ports every harborrobot Pod opens: the hub API (TLS) and health/metrics.
inline constexpr int kHubApiPort = 8443;
inline constexpr int kHealthPort = 8080;
// The image `install`, `failover manifest` and the hub use unless told another
// (the hub runs its agents from its own image when it can read its Pod).
inline constexpr std::string_view kDefaultAgentImage =
    "ghcr.io/harborrobot/harborrobot-agent:" HARBORROBOT_VERSION;
inline constexpr std::string_view kHubLeaderLabel = "harborrobot.io/hub-leader";
inline constexpr std::string_view kBindingUidLabel = "harborrobot.io/binding-uid";
inline constexpr std::string_view kTemplateHashAnnotation = "harborrobot.io/template-hash";

// On the generated Secrets: which binding, which generation, when, and hashes
// to notice a changed spec or a hand edit.
inline constexpr std::string_view kBindingAnnotation = "harborrobot.io/binding";
inline constexpr std::string_view kGenerationAnnotation = "harborrobot.io/generation";
inline constexpr std::string_view kRotatedAtAnnotation = "harborrobot.io/rotated-at";
inline constexpr std::string_view kSpecHashAnnotation = "harborrobot.io/spec-hash";
inline constexpr std::string_view kContentHashAnnotation = "harborrobot.io/content-hash";
inline constexpr std::string_view kRobotAnnotation = "harborrobot.io/robot";

// The hub API as agents reach it: https://<service>.<namespace>.svc:8443.
inline std::string hubApiUrl(std::string_view service = kHubName,
                             std::string_view ns = kSystemNamespace) {
  return "https://" + std::string(service) + "." + std::string(ns) +
         ".svc:" + std::to_string(kHubApiPort);
}

// "app.kubernetes.io/name=<name>,app.kubernetes.io/managed-by=harborrobot".
inline std::string managedSelector(std::string_view name) {
  return std::string(kNameLabel) + "=" + std::string(name) + "," + std::string(kManagedByLabel) +
         "=" + std::string(kManagedByValue);
}

} // namespace harborrobot::wire

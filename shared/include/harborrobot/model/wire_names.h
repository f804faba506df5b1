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

inline constexpr std::string_view kAgentName = "harborrobot-agent";
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

// "app.kubernetes.io/name=<name>,app.kubernetes.io/managed-by=harborrobot".
inline std::string managedSelector(std::string_view name) {
  return std::string(kNameLabel) + "=" + std::string(name) + "," + std::string(kManagedByLabel) +
         "=" + std::string(kManagedByValue);
}

} // namespace harborrobot::wire

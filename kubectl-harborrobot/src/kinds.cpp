// A fixed table: the plugin applies only objects it generates itself.
#include "kinds.h"

#include <array>

namespace harborrobot::cli {

std::optional<kube::ResourceType> typeOf(std::string_view apiVersion, std::string_view kind) {
  static const std::array<kube::ResourceType, 11> kKnown = {{
      {"", "v1", "namespaces", "Namespace", false},
      {"", "v1", "serviceaccounts", "ServiceAccount", true},
      {"", "v1", "services", "Service", true},
      {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
       false},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false},
      {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false},
      {"rbac.authorization.k8s.io", "v1", "roles", "Role", true},
      {"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true},
      {"apps", "v1", "deployments", "Deployment", true},
      {"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true},
      {"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true},
  }};
  for (const auto& type : kKnown) {
    if (type.kind == kind && type.apiVersion() == apiVersion) {
      return type;
    }
  }
  return std::nullopt;
}

} // namespace harborrobot::cli

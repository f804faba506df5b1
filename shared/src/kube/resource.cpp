// Resource descriptors and REST paths.
#include "harborrobot/kube/resource.h"

#include <fmt/format.h>

namespace harborrobot::kube {

std::string resourcePath(const ResourceType& type, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path = type.group.empty() ? fmt::format("/api/{}", type.version)
                                        : fmt::format("/apis/{}/{}", type.group, type.version);
  if (type.namespaced && !ns.empty()) {
    path += fmt::format("/namespaces/{}", ns);
  }
  path += "/" + type.plural;
  if (!name.empty()) {
    path += fmt::format("/{}", name);
    if (!subresource.empty()) {
      path += fmt::format("/{}", subresource);
    }
  }
  return path;
}

namespace resources {

// Function-local constants: immutable after first use, so no mutable global state.
const ResourceType& namespaces() {
  static const ResourceType type{"", "v1", "namespaces", "Namespace", false};
  return type;
}
const ResourceType& secrets() {
  static const ResourceType type{"", "v1", "secrets", "Secret", true};
  return type;
}
const ResourceType& serviceAccounts() {
  static const ResourceType type{"", "v1", "serviceaccounts", "ServiceAccount", true};
  return type;
}
const ResourceType& configMaps() {
  static const ResourceType type{"", "v1", "configmaps", "ConfigMap", true};
  return type;
}
const ResourceType& events() {
  static const ResourceType type{"", "v1", "events", "Event", true};
  return type;
}
const ResourceType& pods() {
  static const ResourceType type{"", "v1", "pods", "Pod", true};
  return type;
}
const ResourceType& deployments() {
  static const ResourceType type{"apps", "v1", "deployments", "Deployment", true};
  return type;
}
const ResourceType& leases() {
  static const ResourceType type{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return type;
}
const ResourceType& roles() {
  static const ResourceType type{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
  return type;
}
const ResourceType& roleBindings() {
  static const ResourceType type{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
                                 true};
  return type;
}

const ResourceType& clusterRoleBindings() {
  static const ResourceType type{"rbac.authorization.k8s.io", "v1", "clusterrolebindings",
                                 "ClusterRoleBinding", false};
  return type;
}
const ResourceType& harborRobotBindings() {
  static const ResourceType type{"harbor-robot-gen.alaudadevops.alauda.io", "v1alpha1",
                                 "harborrobotbindings", "HarborRobotBinding", false};
  return type;
}
const ResourceType& harborRobotCredentials() {
  static const ResourceType type{"harbor-robot-gen.alaudadevops.alauda.io", "v1alpha1",
                                 "harborrobotcredentials", "HarborRobotCredential", true};
  return type;
}
const ResourceType& customResourceDefinitions() {
  static const ResourceType type{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                                 "CustomResourceDefinition", false};
  return type;
}
const ResourceType& services() {
  static const ResourceType type{"", "v1", "services", "Service", true};
  return type;
}
const ResourceType& clusterRoles() {
  static const ResourceType type{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole",
                                 false};
  return type;
}
const ResourceType& podDisruptionBudgets() {
  static const ResourceType type{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget",
                                 true};
  return type;
}
const ResourceType& networkPolicies() {
  static const ResourceType type{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy",
                                 true};
  return type;
}

std::optional<ResourceType> typeOf(std::string_view apiVersion, std::string_view kind) {
  for (const ResourceType* type :
       {&namespaces(), &secrets(), &serviceAccounts(), &configMaps(), &events(), &pods(),
        &deployments(), &leases(), &roles(), &roleBindings(), &clusterRoleBindings(),
        &harborRobotBindings(), &harborRobotCredentials(), &customResourceDefinitions(),
        &services(), &clusterRoles(), &podDisruptionBudgets(), &networkPolicies()}) {
    if (type->kind == kind && type->apiVersion() == apiVersion) {
      return *type;
    }
  }
  return std::nullopt;
}

} // namespace resources
} // namespace harborrobot::kube

// Kubernetes resource types the project talks to, and the REST paths for them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace harborrobot::kube {

struct ResourceType {
  std::string group;   // "" for the core group
  std::string version; // "v1"
  std::string plural;  // "secrets"
  std::string kind;    // "Secret"
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "secrets" or "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io", as
  // the apiserver names a resource in its messages.
  std::string qualifiedName() const { return group.empty() ? plural : plural + "." + group; }
};

// /api/v1/namespaces/ns/secrets[/name[/subresource]]; `ns` is ignored for
// cluster-scoped types, and an empty `ns` on a namespaced type means all namespaces.
std::string resourcePath(const ResourceType& type, std::string_view ns, std::string_view name = {},
                         std::string_view subresource = {});

namespace resources {
const ResourceType& namespaces();
const ResourceType& secrets();
const ResourceType& serviceAccounts();
const ResourceType& configMaps();
const ResourceType& events();
const ResourceType& pods();
const ResourceType& deployments();
const ResourceType& leases();
const ResourceType& roles();
const ResourceType& roleBindings();
const ResourceType& clusterRoleBindings();
const ResourceType& harborRobotBindings();
const ResourceType& harborRobotCredentials();
const ResourceType& customResourceDefinitions();
const ResourceType& services();
const ResourceType& clusterRoles();
const ResourceType& podDisruptionBudgets();
const ResourceType& networkPolicies();

// The type of an object by its apiVersion and kind, among those above: the
// objects harborrobot writes are all of these.
std::optional<ResourceType> typeOf(std::string_view apiVersion, std::string_view kind);
} // namespace resources

} // namespace harborrobot::kube

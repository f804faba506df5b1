// The built-in resources the simulator serves, with the names, short names and
// verbs a v1.32 kube-apiserver advertises for them.
#include "resource_type.h"

#include <algorithm>
#include <tuple>

#include "event_conversion.h"

namespace harborrobot::kubesim {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

ResourceType makeType(std::string group, std::string version, std::string plural,
                      std::string singular, std::string kind, bool namespaced,
                      std::vector<std::string> shortNames = {}) {
  ResourceType type;
  type.group = std::move(group);
  type.version = std::move(version);
  type.plural = std::move(plural);
  type.singular = std::move(singular);
  type.kind = std::move(kind);
  type.namespaced = namespaced;
  type.shortNames = std::move(shortNames);
  type.verbs = kAllVerbs;
  return type;
}

} // namespace

bool ResourceType::hasSubresource(const std::string& name) const {
  return std::find(subresources.begin(), subresources.end(), name) != subresources.end();
}

std::vector<ResourceType> builtinTypes() {
  std::vector<ResourceType> types;
  auto namespaces = makeType("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"});
  namespaces.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  namespaces.subresources = {"status", "finalize"};
  namespaces.selectableFields = {"status.phase"};
  types.push_back(namespaces);

  auto serviceAccounts =
      makeType("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"});
  serviceAccounts.subresources = {"token"};
  serviceAccounts.returnsDeletedObject = true;
  types.push_back(serviceAccounts);

  types.push_back(makeType("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}));

  auto secrets = makeType("", "v1", "secrets", "secret", "Secret", true);
  secrets.selectableFields = {"type"};
  types.push_back(secrets);

  auto events = makeType("", "v1", "events", "event", "Event", true, {"ev"});
  events.selectableFields = {"involvedObject.kind",
                             "involvedObject.namespace",
                             "involvedObject.name",
                             "involvedObject.uid",
                             "involvedObject.apiVersion",
                             "involvedObject.resourceVersion",
                             "involvedObject.fieldPath",
                             "reason",
                             "reportingComponent",
                             "source",
                             "type"};
  types.push_back(events);
  // events.k8s.io/v1 events: the same stored Events through a second group
  // (event_conversion.cpp).
  types.push_back(eventsV1Type());

  auto pods = makeType("", "v1", "pods", "pod", "Pod", true, {"po"});
  pods.categories = {"all"};
  pods.subresources = {"status"};
  pods.returnsDeletedObject = true;
  pods.selectableFields = {"spec.nodeName",           "spec.restartPolicy", "spec.schedulerName",
                           "spec.serviceAccountName", "status.phase",       "status.podIP",
                           "status.nominatedNodeName"};
  types.push_back(pods);

  auto deployments =
      makeType("apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"});
  deployments.categories = {"all"};
  deployments.subresources = {"status"};
  types.push_back(deployments);

  auto services = makeType("", "v1", "services", "service", "Service", true, {"svc"});
  services.categories = {"all"};
  services.subresources = {"status"};
  types.push_back(services);

  auto disruptionBudgets = makeType("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget",
                                    "PodDisruptionBudget", true, {"pdb"});
  disruptionBudgets.subresources = {"status"};
  types.push_back(disruptionBudgets);

  // networking.k8s.io/v1 NetworkPolicy (API reference: "NetworkPolicy v1
  // networking.k8s.io", shortName netpol, namespaced, no status subresource in
  // v1 since 1.28). Stored and served; nothing here enforces it, as on a
  // cluster whose network plugin does not.
  types.push_back(makeType("networking.k8s.io", "v1", "networkpolicies", "networkpolicy",
                           "NetworkPolicy", true, {"netpol"}));

  types.push_back(makeType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true));

  const std::string rbac = "rbac.authorization.k8s.io";
  types.push_back(makeType(rbac, "v1", "roles", "role", "Role", true));
  types.push_back(makeType(rbac, "v1", "rolebindings", "rolebinding", "RoleBinding", true));
  types.push_back(makeType(rbac, "v1", "clusterroles", "clusterrole", "ClusterRole", false));
  types.push_back(makeType(rbac, "v1", "clusterrolebindings", "clusterrolebinding",
                           "ClusterRoleBinding", false));

  // Reviews are created and answered, never stored.
  for (auto [group, plural, kind, namespaced] :
       {std::tuple{"authentication.k8s.io", "tokenreviews", "TokenReview", false},
        std::tuple{"authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false},
        std::tuple{"authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
                   false},
        std::tuple{"authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false},
        std::tuple{"authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview",
                   true}}) {
    std::string singular = plural;
    singular.pop_back();
    auto review = makeType(group, "v1", plural, singular, kind, namespaced);
    review.verbs = {"create"};
    review.virtualCreateOnly = true;
    types.push_back(review);
  }

  auto crds =
      makeType("apiextensions.k8s.io", "v1", "customresourcedefinitions",
               "customresourcedefinition", "CustomResourceDefinition", false, {"crd", "crds"});
  crds.subresources = {"status"};
  types.push_back(crds);
  return types;
}

TypeRegistry::TypeRegistry() : types_(builtinTypes()) {}

std::optional<ResourceType> TypeRegistry::find(const std::string& group, const std::string& version,
                                               const std::string& plural) const {
  std::lock_guard lock(mutex_);
  for (const auto& type : types_) {
    if (type.group == group && type.version == version && type.plural == plural)
      return type;
  }
  return std::nullopt;
}

std::vector<ResourceType> TypeRegistry::all() const {
  std::lock_guard lock(mutex_);
  return types_;
}

std::map<std::string, std::vector<std::string>> TypeRegistry::groupVersions() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& type : types_) {
    auto& versions = groups[type.group];
    if (std::find(versions.begin(), versions.end(), type.version) == versions.end())
      versions.push_back(type.version);
  }
  return groups;
}

std::string TypeRegistry::generation() const {
  std::lock_guard lock(mutex_);
  return std::to_string(changes_);
}

void TypeRegistry::setCustomTypes(const std::string& crdName, std::vector<ResourceType> types) {
  std::lock_guard lock(mutex_);
  std::erase_if(types_, [&](const ResourceType& type) { return type.definedBy == crdName; });
  for (auto& type : types) {
    type.definedBy = crdName;
    type.custom = true;
    types_.push_back(std::move(type));
  }
  ++changes_;
}

void TypeRegistry::removeCustomTypes(const std::string& crdName) {
  std::lock_guard lock(mutex_);
  std::erase_if(types_, [&](const ResourceType& type) { return type.definedBy == crdName; });
  ++changes_;
}

} // namespace harborrobot::kubesim

// What the simulator knows about a kind of resource: its REST names, scope,
// subresources and, for custom resources, the CRD's schema and printer columns.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::kubesim {

struct PrinterColumn {
  std::string name;
  std::string type; // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string jsonPath;
  int priority = 0;
};

struct ResourceType {
  std::string group; // "" for the core group
  std::string version;
  std::string plural;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  // Subresources served besides the object itself ("status", "token").
  std::vector<std::string> subresources;
  // Built-in kinds answer strategic-merge patches; custom resources do not.
  bool custom = false;
  // Pods and ServiceAccounts answer DELETE with the object (ReturnDeletedObject).
  bool returnsDeletedObject = false;
  // Kinds such as TokenReview are created and answered but never stored.
  bool virtualCreateOnly = false;
  // Field selectors beyond metadata.name/namespace.
  std::vector<std::string> selectableFields;
  // Custom resources: the version's openAPIV3Schema and printer columns.
  nlohmann::json schema;
  std::vector<PrinterColumn> printerColumns;
  // The CRD that defines this type ("" for built-ins).
  std::string definedBy;
  // A second view of another group's stored resource (events.k8s.io/v1 events
  // are core/v1 Events in storage): objects are kept, stamped and watched as
  // that group-version's kind and converted at the API's edge.
  bool isView = false;
  std::string storageGroup;
  std::string storageVersion;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "secrets", "deployments.apps": how errors name the resource.
  std::string qualifiedResource() const { return group.empty() ? plural : plural + "." + group; }
  // "Secret", "Deployment.apps": how Invalid errors name the kind.
  std::string qualifiedKind() const { return group.empty() ? kind : kind + "." + group; }
  // Storage is shared by all versions of a group's resource.
  std::string storageKey() const { return (isView ? storageGroup : group) + "/" + plural; }
  // The apiVersion objects carry in storage.
  std::string storageApiVersion() const {
    if (!isView)
      return apiVersion();
    return storageGroup.empty() ? storageVersion : storageGroup + "/" + storageVersion;
  }
  bool hasSubresource(const std::string& name) const;
};

// The set of served types: built-ins plus those CRDs add while the server runs.
// Thread-safe; lookups return copies so a CRD deletion cannot invalidate them.
class TypeRegistry {
public:
  TypeRegistry();

  std::optional<ResourceType> find(const std::string& group, const std::string& version,
                                   const std::string& plural) const;
  std::vector<ResourceType> all() const;
  // group → versions served, in preference order.
  std::map<std::string, std::vector<std::string>> groupVersions() const;
  // A hash that changes whenever the set of types changes (OpenAPI cache keys).
  std::string generation() const;

  // Replaces every type the CRD named `crdName` defines with `types`.
  void setCustomTypes(const std::string& crdName, std::vector<ResourceType> types);
  void removeCustomTypes(const std::string& crdName);

private:
  mutable std::mutex mutex_;
  std::vector<ResourceType> types_;
  unsigned long changes_ = 0;
};

std::vector<ResourceType> builtinTypes();

} // namespace harborrobot::kubesim

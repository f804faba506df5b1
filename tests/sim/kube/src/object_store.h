// In-memory object storage of the simulator: one map per resource, keyed by
// namespace/name, with a cluster-wide resourceVersion counter like etcd's revision.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::kubesim {

class ObjectStore {
public:
  // Stores a new object, stamping uid, resourceVersion and creationTimestamp;
  // returns nullopt when namespace/name already exists.
  std::optional<nlohmann::json> create(const std::string& resource, nlohmann::json object);
  std::optional<nlohmann::json> get(const std::string& resource, const std::string& key) const;
  std::vector<nlohmann::json> list(const std::string& resource) const;
  // Removes the object and returns it as last stored; nullopt when absent.
  std::optional<nlohmann::json> remove(const std::string& resource, const std::string& key);
  // Removes every namespaced object of `namespaceName` (the namespace controller's job).
  void removeNamespaceContents(const std::string& namespaceName);
  std::string currentResourceVersion() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, nlohmann::json>> objects_;
  unsigned long long revision_ = 1;
};

// The storage key of an object: "namespace/name", or "name" for cluster scope.
std::string objectKey(const std::string& namespaceName, const std::string& name);

} // namespace harborrobot::kubesim

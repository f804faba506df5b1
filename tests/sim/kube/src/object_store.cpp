// Implements ObjectStore; the uid is derived from the revision so that runs are
// reproducible and no two objects ever share one.
#include "object_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace harborrobot::kubesim {
namespace {

std::string nowRfc3339() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
}

std::string uidFor(unsigned long long revision) {
  return fmt::format("00000000-0000-4000-8000-{:012d}", revision);
}

} // namespace

std::string objectKey(const std::string& namespaceName, const std::string& name) {
  return namespaceName.empty() ? name : namespaceName + "/" + name;
}

std::optional<nlohmann::json> ObjectStore::create(const std::string& resource,
                                                  nlohmann::json object) {
  auto& metadata = object["metadata"];
  const std::string key = objectKey(metadata.value("namespace", ""), metadata.value("name", ""));
  std::lock_guard lock(mutex_);
  auto& objects = objects_[resource];
  if (objects.contains(key))
    return std::nullopt;
  ++revision_;
  metadata["uid"] = uidFor(revision_);
  metadata["resourceVersion"] = std::to_string(revision_);
  metadata["creationTimestamp"] = nowRfc3339();
  objects.emplace(key, object);
  return object;
}

std::optional<nlohmann::json> ObjectStore::get(const std::string& resource,
                                               const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto byResource = objects_.find(resource);
  if (byResource == objects_.end())
    return std::nullopt;
  const auto found = byResource->second.find(key);
  if (found == byResource->second.end())
    return std::nullopt;
  return found->second;
}

std::vector<nlohmann::json> ObjectStore::list(const std::string& resource) const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> result;
  if (const auto byResource = objects_.find(resource); byResource != objects_.end()) {
    for (const auto& [key, object] : byResource->second)
      result.push_back(object);
  }
  return result;
}

std::optional<nlohmann::json> ObjectStore::remove(const std::string& resource,
                                                  const std::string& key) {
  std::lock_guard lock(mutex_);
  auto& objects = objects_[resource];
  const auto found = objects.find(key);
  if (found == objects.end())
    return std::nullopt;
  nlohmann::json removed = std::move(found->second);
  objects.erase(found);
  ++revision_;
  return removed;
}

void ObjectStore::removeNamespaceContents(const std::string& namespaceName) {
  std::lock_guard lock(mutex_);
  const std::string prefix = namespaceName + "/";
  for (auto& [resource, objects] : objects_) {
    std::erase_if(objects, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  }
  ++revision_;
}

std::string ObjectStore::currentResourceVersion() const {
  std::lock_guard lock(mutex_);
  return std::to_string(revision_);
}

} // namespace harborrobot::kubesim

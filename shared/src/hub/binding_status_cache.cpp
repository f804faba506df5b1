// Parsed binding statuses keyed by resourceVersion.
#include "harborrobot/hub/binding_status_cache.h"

namespace harborrobot::hub {

std::shared_ptr<const reconcile::BindingStatus>
BindingStatusCache::statusOf(const kube::Json& object) const {
  const std::string name = object.value("/metadata/name"_json_pointer, std::string());
  const std::string version = object.value("/metadata/resourceVersion"_json_pointer, std::string());
  {
    std::lock_guard lock(mutex_);
    if (const auto found = cache_.find(name);
        found != cache_.end() && found->second.first == version && !version.empty()) {
      return found->second.second;
    }
  }
  auto parsed = std::make_shared<const reconcile::BindingStatus>(
      reconcile::parseBindingStatus(object.value("status", kube::Json::object())));
  std::lock_guard lock(mutex_);
  cache_[name] = {version, parsed};
  return parsed;
}

void BindingStatusCache::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  cache_.erase(name);
}

} // namespace harborrobot::hub

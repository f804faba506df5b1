// The targets cache: namespace infos rebuilt per version, selections memoized.
#include "harborrobot/hub/targets_cache.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harborrobot/util/json_text.h"

namespace harborrobot::hub {

reconcile::NamespaceInfo namespaceInfoOf(const kube::Json& object) {
  reconcile::NamespaceInfo info;
  info.name = object.value("/metadata/name"_json_pointer, std::string());
  info.terminating = object.contains("/metadata/deletionTimestamp"_json_pointer) ||
                     object.value("/status/phase"_json_pointer, std::string()) == "Terminating";
  const auto labels = objectField(objectField(object, "metadata"), "labels");
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) {
      info.labels.emplace(key, value.get<std::string>());
    }
  }
  return info;
}

void keepTargetingFields(kube::Json& object) {
  const kube::Json metadata = objectField(object, "metadata");
  kube::Json kept = kube::Json::object();
  for (const char* key : {"name", "uid", "resourceVersion", "labels", "deletionTimestamp"}) {
    if (metadata.contains(key)) {
      kept[key] = metadata.at(key);
    }
  }
  kube::Json trimmed = {{"metadata", std::move(kept)}};
  if (const std::string phase = stringField(objectField(object, "status"), "phase");
      !phase.empty()) {
    trimmed["status"] = {{"phase", phase}};
  }
  object = std::move(trimmed);
}

bool namespaceChangeMatters(const kube::Json& before, const kube::Json& after) {
  return before.value("/metadata/labels"_json_pointer, kube::Json::object()) !=
             after.value("/metadata/labels"_json_pointer, kube::Json::object()) ||
         before.contains("/metadata/deletionTimestamp"_json_pointer) !=
             after.contains("/metadata/deletionTimestamp"_json_pointer) ||
         before.value("/status/phase"_json_pointer, std::string()) !=
             after.value("/status/phase"_json_pointer, std::string());
}

TargetsCache::TargetsCache(NamespaceList namespaces, std::set<std::string> protectedNamespaces)
    : namespaces_(std::move(namespaces)), protectedNamespaces_(std::move(protectedNamespaces)) {}

reconcile::TargetSelection TargetsCache::selectionOf(const BindingSpec& spec) const {
  const std::string selection =
      fmt::format("{}|{}", fmt::join(spec.namespaceNames, ","),
                  spec.namespaceSelector ? "S" + spec.namespaceSelector->toString() : "-");
  const std::uint64_t version = namespacesVersion_.load();
  std::lock_guard lock(mutex_);
  if (version != targetsVersion_) {
    namespaceInfos_.clear();
    for (const auto& object : namespaces_()) {
      namespaceInfos_.push_back(namespaceInfoOf(*object));
    }
    targetsBySelection_.clear();
    targetsVersion_ = version;
  }
  auto found = targetsBySelection_.find(selection);
  if (found == targetsBySelection_.end()) {
    found = targetsBySelection_
                .emplace(selection,
                         reconcile::selectTargets(spec, namespaceInfos_, protectedNamespaces_))
                .first;
  }
  return found->second;
}

} // namespace harborrobot::hub

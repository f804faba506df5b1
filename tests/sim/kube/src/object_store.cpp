#include "object_store.h"

#include <algorithm>

namespace harborrobot::kubesim {

using nlohmann::json;

const char* changeTypeName(ChangeType type) {
  switch (type) {
  case ChangeType::kAdded:
    return "ADDED";
  case ChangeType::kModified:
    return "MODIFIED";
  case ChangeType::kDeleted:
    return "DELETED";
  }
  return "ERROR";
}

std::string objectKey(const std::string& namespaceName, const std::string& name) {
  return namespaceName.empty() ? name : namespaceName + "/" + name;
}

namespace {

std::string keyOf(const json& object) {
  const json& metadata = object.at("metadata");
  return objectKey(metadata.value("namespace", ""), metadata.value("name", ""));
}

} // namespace

std::optional<json> StoreWriter::get(const std::string& storageKey, const std::string& key) const {
  const json* found = store_.findLocked(storageKey, key);
  return found == nullptr ? std::nullopt : std::optional<json>(*found);
}

std::vector<json> StoreWriter::list(const std::string& storageKey) const {
  std::vector<json> items;
  if (const auto kind = store_.objects_.find(storageKey); kind != store_.objects_.end()) {
    for (const auto& [key, object] : kind->second)
      items.push_back(object);
  }
  return items;
}

json StoreWriter::put(const std::string& storageKey, json object) {
  const std::string key = keyOf(object);
  auto& objects = store_.objects_[storageKey];
  const auto existing = objects.find(key);
  json previous = existing == objects.end() ? json() : existing->second;
  ++store_.revision_;
  object["metadata"]["resourceVersion"] = std::to_string(store_.revision_);
  objects[key] = object;
  const ChangeType type = previous.is_null() ? ChangeType::kAdded : ChangeType::kModified;
  store_.record(type, storageKey, object, std::move(previous));
  return object;
}

std::optional<json> StoreWriter::erase(const std::string& storageKey, const std::string& key) {
  if (store_.findLocked(storageKey, key) == nullptr)
    return std::nullopt;
  auto& objects = store_.objects_[storageKey];
  const auto found = objects.find(key);
  json object = std::move(found->second);
  objects.erase(found);
  json previous = object;
  ++store_.revision_;
  object["metadata"]["resourceVersion"] = std::to_string(store_.revision_);
  store_.record(ChangeType::kDeleted, storageKey, object, std::move(previous));
  return object;
}

std::uint64_t StoreWriter::revision() const {
  return store_.revision_;
}

ObjectStore::ObjectStore(std::size_t historyLimit) : historyLimit_(historyLimit) {}

void ObjectStore::setCompactionInterval(std::chrono::milliseconds interval) {
  std::lock_guard lock(mutex_);
  compactionInterval_ = interval;
  lastCompactionTick_ = std::chrono::steady_clock::now();
  revisionAtLastTick_ = 0;
}

void ObjectStore::compactByTimeLocked() {
  if (compactionInterval_.count() <= 0)
    return;
  const auto now = std::chrono::steady_clock::now();
  // apiserver etcd3/compact.go: at each tick, compact to the revision noted
  // at the previous tick, then note the current one.
  while (now - lastCompactionTick_ >= compactionInterval_) {
    if (revisionAtLastTick_ > compactedThrough_) {
      compactedThrough_ = revisionAtLastTick_;
      while (!history_.empty() && history_.front()->revision <= compactedThrough_)
        history_.pop_front();
    }
    revisionAtLastTick_ = revision_;
    lastCompactionTick_ += compactionInterval_;
  }
}

void ObjectStore::record(ChangeType type, const std::string& storageKey, const json& object,
                         json previous) {
  history_.push_back(std::make_shared<const Change>(
      Change{revision_, type, storageKey, object, std::move(previous)}));
  while (history_.size() > historyLimit_) {
    compactedThrough_ = history_.front()->revision;
    history_.pop_front();
  }
}

const json* ObjectStore::findLocked(const std::string& storageKey, const std::string& key) const {
  const auto kind = objects_.find(storageKey);
  if (kind == objects_.end())
    return nullptr;
  const auto found = kind->second.find(key);
  return found == kind->second.end() ? nullptr : &found->second;
}

std::optional<json> ObjectStore::get(const std::string& storageKey, const std::string& key) const {
  std::lock_guard lock(mutex_);
  const json* found = findLocked(storageKey, key);
  return found == nullptr ? std::nullopt : std::optional<json>(*found);
}

ObjectStore::Snapshot ObjectStore::list(const std::string& storageKey,
                                        const std::string& namespaceName) const {
  std::lock_guard lock(mutex_);
  Snapshot snapshot;
  snapshot.revision = revision_;
  const auto kind = objects_.find(storageKey);
  if (kind == objects_.end())
    return snapshot;
  // Keys are "namespace/name", so map order is namespace, then name.
  for (const auto& [key, object] : kind->second) {
    if (namespaceName.empty() || key.starts_with(namespaceName + "/"))
      snapshot.items.push_back(object);
  }
  return snapshot;
}

ObjectStore::Page ObjectStore::select(const std::string& storageKey,
                                      const std::string& namespaceName,
                                      const std::string& startAfter,
                                      const std::function<bool(const json&)>& matches,
                                      std::size_t limit, std::uint64_t atRevision) const {
  std::lock_guard lock(mutex_);
  Page page;
  page.revision = revision_;
  const std::string prefix = namespaceName.empty() ? "" : namespaceName + "/";
  if (atRevision > 0 && atRevision < revision_) {
    // The objects as of atRevision: today's, with every later change undone
    // (walking back, the earliest later change leaves its previous state).
    std::map<std::string, json> view;
    if (const auto kind = objects_.find(storageKey); kind != objects_.end())
      view = kind->second;
    for (auto it = history_.rbegin(); it != history_.rend() && (*it)->revision > atRevision; ++it) {
      const Change& change = **it;
      if (change.storageKey != storageKey)
        continue;
      const json& named = change.object.is_object() ? change.object : change.previous;
      const json metadata = named.value("metadata", json::object());
      const std::string key =
          objectKey(metadata.value("namespace", ""), metadata.value("name", ""));
      if (change.previous.is_null())
        view.erase(key);
      else
        view[key] = change.previous;
    }
    page.revision = atRevision;
    auto it = startAfter.empty() ? view.lower_bound(prefix) : view.upper_bound(startAfter);
    for (; it != view.end(); ++it) {
      if (!prefix.empty() && !it->first.starts_with(prefix))
        break;
      if (!matches(it->second))
        continue;
      if (limit > 0 && page.items.size() == limit)
        ++page.remaining;
      else
        page.items.push_back(it->second);
    }
    return page;
  }
  const auto kind = objects_.find(storageKey);
  if (kind == objects_.end())
    return page;
  auto it =
      startAfter.empty() ? kind->second.lower_bound(prefix) : kind->second.upper_bound(startAfter);
  for (; it != kind->second.end(); ++it) {
    if (!prefix.empty() && !it->first.starts_with(prefix))
      break;
    if (!matches(it->second))
      continue;
    if (limit > 0 && page.items.size() == limit)
      ++page.remaining;
    else
      page.items.push_back(it->second);
  }
  return page;
}

void ObjectStore::visit(const std::string& storageKey, const std::string& namespaceName,
                        const std::function<void(const json&)>& visitor) const {
  std::lock_guard lock(mutex_);
  const auto kind = objects_.find(storageKey);
  if (kind == objects_.end())
    return;
  const std::string prefix = namespaceName.empty() ? "" : namespaceName + "/";
  for (auto it = kind->second.lower_bound(prefix); it != kind->second.end(); ++it) {
    if (!prefix.empty() && !it->first.starts_with(prefix))
      break;
    visitor(it->second);
  }
}

std::uint64_t ObjectStore::revision() const {
  std::lock_guard lock(mutex_);
  return revision_;
}

std::optional<std::vector<std::shared_ptr<const Change>>>
ObjectStore::changesSince(std::uint64_t sinceRevision,
                          std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  compactByTimeLocked();
  if (sinceRevision < compactedThrough_)
    return std::nullopt;
  changed_.wait_until(lock, deadline, [&] { return stopped_ || revision_ > sinceRevision; });
  std::vector<std::shared_ptr<const Change>> changes;
  if (stopped_)
    return changes;
  if (sinceRevision < compactedThrough_)
    return std::nullopt;
  // History is ordered by revision; find the first newer change from the back,
  // since watchers are usually close to the head.
  auto first = history_.end();
  while (first != history_.begin() && (*std::prev(first))->revision > sinceRevision)
    --first;
  changes.assign(first, history_.end());
  return changes;
}

std::uint64_t ObjectStore::oldestRetainedRevision() {
  std::lock_guard lock(mutex_);
  compactByTimeLocked();
  return compactedThrough_;
}

void ObjectStore::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool ObjectStore::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void ObjectStore::restore(const std::vector<std::pair<std::string, json>>& objects,
                          std::uint64_t revision) {
  std::lock_guard lock(mutex_);
  objects_.clear();
  history_.clear();
  revision_ = revision;
  for (const auto& [storageKey, object] : objects) {
    const json& metadata = object["metadata"];
    objects_[storageKey][objectKey(metadata.value("namespace", ""), metadata.value("name", ""))] =
        object;
    const std::string version = metadata.value("resourceVersion", "0");
    if (!version.empty() && version.find_first_not_of("0123456789") == std::string::npos &&
        version.size() < 20)
      revision_ = std::max<std::uint64_t>(revision_, std::stoull(version));
  }
  // Watches cannot resume from before the restart.
  compactedThrough_ = revision_;
}

std::vector<std::pair<std::string, json>> ObjectStore::dump() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, json>> all;
  for (const auto& [storageKey, objects] : objects_) {
    for (const auto& [key, object] : objects)
      all.emplace_back(storageKey, object);
  }
  return all;
}

} // namespace harborrobot::kubesim

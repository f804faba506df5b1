// Informer loop: list, then watch from the list's resourceVersion until stopped.
#include "harborrobot/kube/informer.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::kube {

namespace {

std::string keyOf(const Json& object) {
  const std::string ns = stringAt(object, "/metadata/namespace"_json_pointer);
  const std::string name = stringAt(object, "/metadata/name"_json_pointer);
  return ns.empty() ? name : ns + "/" + name;
}

std::string versionOf(const Json& object) {
  return stringAt(object, "/metadata/resourceVersion"_json_pointer);
}

} // namespace

Informer::Informer(Client& client, ResourceType type, InformerOptions options,
                   InformerHandlers handlers)
    : client_(client), type_(std::move(type)), options_(std::move(options)),
      handlers_(std::move(handlers)) {}

Informer::~Informer() {
  stop();
}

void Informer::start() {
  if (!thread_.joinable()) {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
  }
}

void Informer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return synced_; });
}

std::shared_ptr<const Json> Informer::find(std::string_view ns, std::string_view name) const {
  std::lock_guard lock(mutex_);
  const std::string key =
      ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
  const auto found = cache_.find(key);
  return found == cache_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<const Json>> Informer::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Json>> objects;
  objects.reserve(cache_.size());
  for (const auto& [key, object] : cache_) {
    objects.push_back(object);
  }
  return objects;
}

std::optional<Json> Informer::get(std::string_view ns, std::string_view name) const {
  if (auto object = find(ns, name)) {
    return *object;
  }
  return std::nullopt;
}

std::vector<Json> Informer::list() const {
  std::vector<Json> objects;
  for (const auto& object : snapshot()) {
    objects.push_back(*object);
  }
  return objects;
}

void dropManagedFields(Json& object) {
  if (const auto metadata = object.find("metadata");
      metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");
  }
}

void Informer::backoff(std::chrono::milliseconds& delay) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, delay, [this] { return stopping_.load(); });
  delay = std::min(delay * 2, options_.maximumBackoff);
}

bool Informer::relist(std::string& resourceVersion) {
  auto listed = client_.list(
      type_, options_.ns,
      {.labelSelector = options_.labelSelector, .fieldSelector = options_.fieldSelector});
  ++lists_;
  if (!listed) {
    if (handlers_.onError) {
      handlers_.onError(listed.error().withContext("listing " + type_.qualifiedName()));
    }
    return false;
  }
  resourceVersion = listed->value("/metadata/resourceVersion"_json_pointer, std::string());
  std::map<std::string, std::shared_ptr<const Json>> fresh;
  for (auto& item : (*listed)["items"]) {
    // Lists omit kind/apiVersion on items; handlers get whole objects.
    item["kind"] = type_.kind;
    item["apiVersion"] = type_.apiVersion();
    if (options_.transform) {
      options_.transform(item);
    }
    const std::string key = keyOf(item);
    fresh.emplace(key, std::make_shared<const Json>(std::move(item)));
  }
  using Shared = std::shared_ptr<const Json>;
  std::vector<std::pair<Shared, Shared>> updated;
  std::vector<Shared> added;
  std::vector<Shared> deleted;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, object] : fresh) {
      const auto old = cache_.find(key);
      if (old == cache_.end()) {
        added.push_back(object);
      } else if (versionOf(*old->second) != versionOf(*object)) {
        updated.emplace_back(old->second, object);
      }
    }
    for (const auto& [key, object] : cache_) {
      if (!fresh.contains(key)) {
        deleted.push_back(object);
      }
    }
    cache_ = std::move(fresh);
  }
  // Handlers run outside the lock so they may read the cache.
  for (const auto& object : added) {
    if (handlers_.onAdd) {
      handlers_.onAdd(*object);
    }
  }
  for (const auto& [before, after] : updated) {
    if (handlers_.onUpdate) {
      handlers_.onUpdate(*before, *after);
    }
  }
  for (const auto& object : deleted) {
    if (handlers_.onDelete) {
      handlers_.onDelete(*object);
    }
  }
  {
    std::lock_guard lock(mutex_);
    synced_ = true;
  }
  changed_.notify_all();
  return true;
}

void Informer::apply(const WatchEvent& event) {
  if (event.type == "BOOKMARK") {
    return;
  }
  const std::string key = keyOf(event.object);
  std::shared_ptr<const Json> before;
  std::shared_ptr<const Json> after;
  {
    std::lock_guard lock(mutex_);
    const auto found = cache_.find(key);
    if (found != cache_.end()) {
      before = found->second;
    }
    if (event.type == "DELETED") {
      cache_.erase(key);
    } else {
      Json object = event.object;
      if (options_.transform) {
        options_.transform(object);
      }
      after = std::make_shared<const Json>(std::move(object));
      cache_[key] = after;
    }
  }
  if (event.type == "DELETED") {
    if (handlers_.onDelete) {
      handlers_.onDelete(event.object);
    }
  } else if (before) {
    if (handlers_.onUpdate) {
      handlers_.onUpdate(*before, *after);
    }
  } else if (handlers_.onAdd) {
    handlers_.onAdd(*after);
  }
}

void Informer::run() {
  std::string resourceVersion;
  bool needList = true;
  auto delay = options_.initialBackoff;
  while (!stopping_) {
    if (needList) {
      if (!relist(resourceVersion)) {
        backoff(delay);
        continue;
      }
      needList = false;
    }
    ++watches_;
    const auto watchStarted = std::chrono::steady_clock::now();
    auto end = client_.watch(type_, options_.ns,
                             {.resourceVersion = resourceVersion,
                              .labelSelector = options_.labelSelector,
                              .fieldSelector = options_.fieldSelector,
                              .timeoutSeconds = options_.watchTimeoutSeconds,
                              .cancel = &stopping_},
                             [this](const WatchEvent& event) {
                               apply(event);
                               return !stopping_.load();
                             });
    if (!end) {
      if (handlers_.onError) {
        handlers_.onError(end.error().withContext("watching " + type_.qualifiedName()));
      }
      backoff(delay);
      continue;
    }
    // A server that closes watches at once must not turn this loop into a spin.
    if (std::chrono::steady_clock::now() - watchStarted < std::chrono::seconds(1)) {
      backoff(delay);
    } else {
      delay = options_.initialBackoff;
    }
    if (end->expired) {
      needList = true;
    } else if (!end->lastResourceVersion.empty()) {
      resourceVersion = end->lastResourceVersion;
    }
  }
}

} // namespace harborrobot::kube

// An informer: a cache of one resource type kept current by list + watch, calling
// handlers on each change. It resumes a broken watch from the last resourceVersion,
// re-lists on 410 Expired (emitting the differences), and backs off on errors.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harborrobot/kube/client.h"

namespace harborrobot::kube {

struct InformerHandlers {
  std::function<void(const Json& object)> onAdd{};
  std::function<void(const Json& before, const Json& after)> onUpdate{};
  std::function<void(const Json& object)> onDelete{};
  std::function<void(const Error& error)> onError{}; // list/watch failures, for logs
};

struct InformerOptions {
  std::string ns{}; // empty = all namespaces (or cluster-scoped)
  std::string labelSelector{};
  std::string fieldSelector{};
  int watchTimeoutSeconds = 300;
  std::chrono::milliseconds initialBackoff{500};
  std::chrono::milliseconds maximumBackoff{std::chrono::seconds(30)};
  // Applied to every object before it is cached and handed to the handlers: the
  // cache keeps only what its reader needs (see dropManagedFields).
  std::function<void(Json& object)> transform{};
};

// A transform: metadata.managedFields (server-side apply's bookkeeping, often
// larger than the rest of the object) is dropped; no controller reads it.
void dropManagedFields(Json& object);

class Informer {
public:
  Informer(Client& client, ResourceType type, InformerOptions options, InformerHandlers handlers);
  ~Informer(); // stops and joins
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();
  void stop();
  // True once the first list has been delivered to the handlers.
  bool waitForSync(std::chrono::milliseconds timeout);

  std::optional<Json> get(std::string_view ns, std::string_view name) const;
  std::vector<Json> list() const;
  // The cached objects themselves, shared rather than copied: a binding's
  // status can hold thousands of namespaces, and copying it on every read made
  // the hub's cost grow with the square of them. Null when absent.
  std::shared_ptr<const Json> find(std::string_view ns, std::string_view name) const;
  std::vector<std::shared_ptr<const Json>> snapshot() const;
  int lists() const { return lists_.load(); }
  int watches() const { return watches_.load(); }

private:
  void run();
  bool relist(std::string& resourceVersion);
  void apply(const WatchEvent& event);
  void backoff(std::chrono::milliseconds& delay);

  Client& client_;
  ResourceType type_;
  InformerOptions options_;
  InformerHandlers handlers_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  // "ns/name" (or "name") → object; an entry is replaced, never changed in place.
  std::map<std::string, std::shared_ptr<const Json>> cache_;
  bool synced_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<int> lists_{0};
  std::atomic<int> watches_{0};
  std::thread thread_;
};

} // namespace harborrobot::kube

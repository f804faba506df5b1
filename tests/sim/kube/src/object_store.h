// In-memory object storage: objects keyed by storage key (group/plural) and
// namespace/name, one cluster-wide revision counter like etcd's, and a bounded
// history of changes that watches replay from.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::kubesim {

enum class ChangeType { kAdded, kModified, kDeleted };

struct Change {
  std::uint64_t revision = 0;
  ChangeType type = ChangeType::kAdded;
  std::string storageKey;
  nlohmann::json object;
  // The object before the change (null for kAdded): watches with selectors
  // need it to tell "started matching" (ADDED) from "stopped matching" (DELETED).
  nlohmann::json previous;
};

const char* changeTypeName(ChangeType type);

// The storage key of one object: "namespace/name", or "name" at cluster scope.
std::string objectKey(const std::string& namespaceName, const std::string& name);

// A view of the store inside one write transaction. Every put/erase bumps the
// revision, stamps metadata.resourceVersion and records a Change.
class StoreWriter {
public:
  std::optional<nlohmann::json> get(const std::string& storageKey, const std::string& key) const;
  std::vector<nlohmann::json> list(const std::string& storageKey) const;
  // Stores the object (added or modified) and returns it as stored.
  nlohmann::json put(const std::string& storageKey, nlohmann::json object);
  // Removes the object; the DELETED change carries it with a new resourceVersion.
  std::optional<nlohmann::json> erase(const std::string& storageKey, const std::string& key);
  std::uint64_t revision() const;

private:
  friend class ObjectStore;
  explicit StoreWriter(class ObjectStore& store) : store_(store) {}
  ObjectStore& store_;
};

class ObjectStore {
public:
  explicit ObjectStore(std::size_t historyLimit = 100000);
  // The apiserver compacts etcd every --etcd-compaction-interval (5 minutes by
  // default): each tick compacts to the revision noted at the previous tick,
  // so a watch or continue token older than one to two intervals gets 410
  // (apiserver pkg/storage/etcd3/compact.go). 0 turns it off.
  void setCompactionInterval(std::chrono::milliseconds interval);

  // Runs `body` with exclusive access, so read-check-write sequences (such as a
  // resourceVersion precondition) are atomic; wakes watchers afterwards.
  template <typename Body> auto write(Body&& body) {
    std::unique_lock lock(mutex_);
    StoreWriter writer(*this);
    struct Notify {
      std::condition_variable& changed;
      ~Notify() { changed.notify_all(); }
    } notify{changed_};
    return body(writer);
  }

  std::optional<nlohmann::json> get(const std::string& storageKey, const std::string& key) const;
  struct Snapshot {
    std::vector<nlohmann::json> items; // ordered by namespace, then name
    std::uint64_t revision = 0;
  };
  Snapshot list(const std::string& storageKey, const std::string& namespaceName) const;

  // One page of a list: up to `limit` objects (0 = all) after key `startAfter`
  // that satisfy `matches`, and how many more match after them. Filtering
  // under the lock copies only what is returned.
  struct Page {
    std::vector<nlohmann::json> items;
    std::size_t remaining = 0;
    std::uint64_t revision = 0;
  };
  // With `atRevision` (a continue token's), the page shows the objects as they
  // were at that revision, rebuilt from the retained history: every page of a
  // paginated list comes from the first page's snapshot (KEP-365, etcd reads
  // at the continue token's revision in apiserver storage/etcd3/store.go).
  Page select(const std::string& storageKey, const std::string& namespaceName,
              const std::string& startAfter,
              const std::function<bool(const nlohmann::json&)>& matches, std::size_t limit,
              std::uint64_t atRevision = 0) const;
  std::uint64_t revision() const;

  // Calls `visitor` with each object of a kind in a namespace ("" = all),
  // under the lock and without copies; `visitor` must not use the store.
  void visit(const std::string& storageKey, const std::string& namespaceName,
             const std::function<void(const nlohmann::json&)>& visitor) const;

  // Changes after `sinceRevision`, waiting until `deadline` for the first one.
  // Returns nullopt when `sinceRevision` is older than the retained history
  // (the caller answers 410 Expired) and an empty vector on timeout or stop().
  // Changes are shared, not copied: every watcher reads every change, and a
  // copy each of large objects made watches cost more than the writes.
  std::optional<std::vector<std::shared_ptr<const Change>>>
  changesSince(std::uint64_t sinceRevision, std::chrono::steady_clock::time_point deadline);
  std::uint64_t oldestRetainedRevision();
  // Wakes and ends every waiting watch (server shutdown).
  void stop();
  bool stopped() const;

  // Replaces all objects (loading a snapshot); history starts empty at `revision`.
  void restore(const std::vector<std::pair<std::string, nlohmann::json>>& objects,
               std::uint64_t revision);
  // Every object of every kind (snapshots).
  std::vector<std::pair<std::string, nlohmann::json>> dump() const;

private:
  friend class StoreWriter;
  // The stored object, or null; the caller holds mutex_.
  const nlohmann::json* findLocked(const std::string& storageKey, const std::string& key) const;
  void record(ChangeType type, const std::string& storageKey, const nlohmann::json& object,
              nlohmann::json previous);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::map<std::string, nlohmann::json>> objects_;
  std::deque<std::shared_ptr<const Change>> history_;
  std::size_t historyLimit_;
  std::uint64_t revision_ = 1;
  // Revisions at or below this have been dropped from history_.
  std::uint64_t compactedThrough_ = 1;
  // Time-based compaction; the caller holds mutex_.
  void compactByTimeLocked();
  std::chrono::milliseconds compactionInterval_{0};
  std::chrono::steady_clock::time_point lastCompactionTick_ = std::chrono::steady_clock::now();
  std::uint64_t revisionAtLastTick_ = 0;
  bool stopped_ = false;
};

} // namespace harborrobot::kubesim

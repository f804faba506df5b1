// Group commit: changes to one stored object (a binding's status) that arrive
// while a write of it is under way are written together by the next write,
// and each caller returns once its own change is stored or has failed.
//
// A thousand agents reporting at once thus cost a handful of writes of the
// object instead of a thousand, while every caller still learns that its change
// is durable before it answers (an agent's activation must never be acknowledged
// and then lost). Writes of different keys proceed independently.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot {

template <typename Change> class GroupCommit {
public:
  // Stores every change of one batch in a single write, in arrival order.
  using Writer = std::function<Status(const std::string& key, const std::vector<Change>& changes)>;

  explicit GroupCommit(Writer writer) : writer_(std::move(writer)) {}

  // Blocks until `change` has been written (with whatever else was waiting) and
  // returns that write's outcome. The caller whose change starts a batch while
  // no write of `key` is under way performs the writes itself.
  Status submit(const std::string& key, Change change) {
    std::unique_lock lock(mutex_);
    Pending& pending = pending_[key]; // std::map: the reference survives other keys' inserts
    if (!pending.open) {
      pending.open = std::make_shared<Batch>();
    }
    const std::shared_ptr<Batch> mine = pending.open;
    mine->changes.push_back(std::move(change));
    if (pending.writing) {
      written_.wait(lock, [&] { return mine->done; });
      return mine->result;
    }
    pending.writing = true;
    while (pending.open) {
      const std::shared_ptr<Batch> batch = std::move(pending.open);
      pending.open.reset();
      lock.unlock();
      Status result = writer_(key, batch->changes);
      lock.lock();
      batch->result = std::move(result);
      batch->done = true;
      written_.notify_all();
    }
    pending_.erase(key);
    return mine->result;
  }

  // Changes waiting for the next write of `key` (not the one under way).
  std::size_t waiting(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto found = pending_.find(key);
    return found == pending_.end() || !found->second.open ? 0 : found->second.open->changes.size();
  }

private:
  struct Batch {
    std::vector<Change> changes;
    bool done = false;
    Status result{};
  };
  struct Pending {
    std::shared_ptr<Batch> open; // collecting changes; null when none wait
    bool writing = false;
  };

  Writer writer_;
  mutable std::mutex mutex_;
  std::condition_variable written_;
  std::map<std::string, Pending> pending_;
};

} // namespace harborrobot

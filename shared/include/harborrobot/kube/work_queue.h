// A controller work queue: each key is queued at most once, never handed to two
// workers at a time, and re-queued after a failure with per-key exponential
// backoff plus jitter. Time and randomness are injected so tests are exact.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace harborrobot::kube {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds maximum{std::chrono::minutes(5)};
  double jitter = 0.2; // up to ±20% of each delay
};

class WorkQueue {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // Returns a value in [0, 1).
  using Random = std::function<double()>;

  explicit WorkQueue(BackoffPolicy policy = {}, Clock clock = {}, Random random = {});

  // Queues `key` now (deduplicated). A key being processed is queued again once
  // it is done, so no change is lost.
  void add(const std::string& key);
  // Queues `key` after `delay` (e.g. the next scheduled refresh). An earlier due
  // time for the same key wins.
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // After a failure: queues with the key's next backoff delay, which doubles per
  // consecutive failure up to the maximum. Returns the delay chosen.
  std::chrono::milliseconds addRateLimited(const std::string& key);
  // After a success: the key's failure count starts again from zero.
  void forget(const std::string& key);
  int failures(const std::string& key) const;

  // Blocks until a key is due or the queue shuts down (nullopt). The caller must
  // call done(key) when it finishes with it.
  std::optional<std::string> get();
  // Non-blocking variant for tests and single-threaded loops.
  std::optional<std::string> tryGet();
  void done(const std::string& key);

  void shutDown();
  std::size_t size() const; // keys queued or waiting, not counting in-progress ones
  // The earliest due time among waiting keys, if any (for tests and metrics).
  std::optional<std::chrono::steady_clock::time_point> nextDue() const;

private:
  std::optional<std::string> takeDueLocked(std::chrono::steady_clock::time_point now);
  void scheduleLocked(const std::string& key, std::chrono::steady_clock::time_point due);

  BackoffPolicy policy_;
  Clock clock_;
  Random random_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::chrono::steady_clock::time_point> due_; // key → when
  std::set<std::string> processing_;
  std::map<std::string, std::chrono::steady_clock::time_point> dirtyWhileProcessing_;
  std::map<std::string, int> failures_;
  bool shutDown_ = false;
};

} // namespace harborrobot::kube

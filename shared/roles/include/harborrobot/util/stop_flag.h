// A flag that, once set, stays set and wakes every waiter: how a role's loops
// wait for their next step instead of sleeping, and stop at once on shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace harborrobot {

class StopFlag {
public:
  StopFlag() = default;
  StopFlag(const StopFlag&) = delete;
  StopFlag& operator=(const StopFlag&) = delete;

  bool requested() const { return requested_.load(); }
  // For APIs that poll an atomic (kube watches, the leader election loop).
  const std::atomic<bool>& flag() const { return requested_; }
  // Waits up to `duration`; true when a stop was requested (before or during).
  bool waitFor(std::chrono::nanoseconds duration);
  void request();

private:
  std::atomic<bool> requested_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
};

} // namespace harborrobot

// Turns SIGTERM and SIGINT into a flag and a wake-up, for every role: roles wait
// on it instead of sleeping, and finish their current step before exiting.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace harborrobot::agent {

class ShutdownSignal {
public:
  // Blocks the signals in the calling thread (call before starting other threads,
  // which inherit the mask) and starts a thread that waits for them.
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  bool requested() const { return requested_.load(); }
  const std::atomic<bool>& flag() const { return requested_; }
  // Waits up to `duration`; returns true when shutdown was requested.
  bool waitFor(std::chrono::nanoseconds duration);
  void request();

private:
  std::atomic<bool> requested_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread waiter_;
};

} // namespace harborrobot::agent

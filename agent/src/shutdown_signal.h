// Turns SIGTERM and SIGINT into a StopFlag, for every role: roles wait on it
// instead of sleeping, and finish their current step before exiting.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "harborrobot/util/stop_flag.h"

namespace harborrobot::agent {

class ShutdownSignal {
public:
  // Blocks the signals in the calling thread (call before starting other threads,
  // which inherit the mask) and starts a thread that waits for them.
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  bool requested() const { return stop_.requested(); }
  const std::atomic<bool>& flag() const { return stop_.flag(); }
  // Waits up to `duration`; returns true when shutdown was requested.
  bool waitFor(std::chrono::nanoseconds duration) { return stop_.waitFor(duration); }
  void request() { stop_.request(); }

private:
  StopFlag stop_;
  std::thread waiter_;
};

} // namespace harborrobot::agent

// How a simulator process waits for SIGTERM/SIGINT: the signals are blocked
// before any thread starts (so every thread inherits the mask) and taken with
// sigwait, so shutdown runs in main, outside any signal handler.
#pragma once

#include <csignal>

namespace harborrobot::sim {

class StopSignals {
public:
  // Construct first thing in main, before any thread exists.
  StopSignals();
  // Blocks until SIGTERM or SIGINT arrives.
  void wait() const;

private:
  sigset_t signals_{};
};

} // namespace harborrobot::sim

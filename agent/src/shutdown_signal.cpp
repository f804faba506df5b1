// ShutdownSignal: sigwait in a dedicated thread.
#include "shutdown_signal.h"

#include <pthread.h>
#include <signal.h>

namespace harborrobot::agent {

namespace {

sigset_t shutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1); // used internally to wake the waiter on destruction
  return set;
}

} // namespace

ShutdownSignal::ShutdownSignal() {
  const sigset_t set = shutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    int received = 0;
    sigwait(&set, &received);
    request();
  });
}

ShutdownSignal::~ShutdownSignal() {
  if (!requested_.load()) {
    pthread_kill(waiter_.native_handle(), SIGUSR1);
  }
  waiter_.join();
}

void ShutdownSignal::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  changed_.notify_all();
}

bool ShutdownSignal::waitFor(std::chrono::nanoseconds duration) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, duration, [this] { return requested_.load(); });
}

} // namespace harborrobot::agent

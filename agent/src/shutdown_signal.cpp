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
  if (!stop_.requested()) {
    pthread_kill(waiter_.native_handle(), SIGUSR1);
  }
  waiter_.join();
}

} // namespace harborrobot::agent

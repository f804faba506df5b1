// StopFlag: set under the mutex, so a waiter between its check and its wait
// cannot miss the wake-up.
#include "harborrobot/util/stop_flag.h"

namespace harborrobot {

void StopFlag::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  changed_.notify_all();
}

bool StopFlag::waitFor(std::chrono::nanoseconds duration) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, duration, [this] { return requested_.load(); });
}

} // namespace harborrobot

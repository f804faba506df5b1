// ConnectionCounts: a count per address, dropped at zero so memory follows the
// addresses connected now.
#include "harborrobot/reconcile/connection_counts.h"

namespace harborrobot::reconcile {

bool ConnectionCounts::enter(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto& count = counts_[address];
  if (count >= cap_) {
    return false;
  }
  ++count;
  return true;
}

void ConnectionCounts::leave(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (const auto found = counts_.find(address); found != counts_.end() && --found->second == 0) {
    counts_.erase(found);
  }
}

std::size_t ConnectionCounts::addresses() const {
  std::lock_guard lock(mutex_);
  return counts_.size();
}

} // namespace harborrobot::reconcile

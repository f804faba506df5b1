#include "harborrobot/reconcile/deadline_book.h"

namespace harborrobot::reconcile {

void DeadlineBook::arm(int key, Time deadline) {
  disarm(key);
  byKey_.emplace(key, deadline);
  byTime_.emplace(deadline, key);
}

void DeadlineBook::disarm(int key) {
  const auto found = byKey_.find(key);
  if (found == byKey_.end()) {
    return;
  }
  auto [first, last] = byTime_.equal_range(found->second);
  for (auto it = first; it != last; ++it) {
    if (it->second == key) {
      byTime_.erase(it);
      break;
    }
  }
  byKey_.erase(found);
}

std::vector<int> DeadlineBook::takeExpired(Time now) {
  std::vector<int> expired;
  while (!byTime_.empty() && byTime_.begin()->first <= now) {
    const int key = byTime_.begin()->second;
    byTime_.erase(byTime_.begin());
    byKey_.erase(key);
    expired.push_back(key);
  }
  return expired;
}

std::optional<DeadlineBook::Time> DeadlineBook::soonest() const {
  if (byTime_.empty()) {
    return std::nullopt;
  }
  return byTime_.begin()->first;
}

} // namespace harborrobot::reconcile

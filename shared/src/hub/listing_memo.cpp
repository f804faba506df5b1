// The robot-listing memo.
#include "harborrobot/hub/listing_memo.h"

#include <algorithm>

namespace harborrobot::hub {

ListingMemo::Check ListingMemo::check(const std::string& binding, const std::string& inputs,
                                      TimePoint now) const {
  std::lock_guard lock(mutex_);
  if (const auto memo = entries_.find(binding);
      memo != entries_.end() && memo->second.inputs == inputs && now < memo->second.nextListing &&
      (!memo->second.revisit || now < *memo->second.revisit)) {
    return {false, memo->second.revisit};
  }
  return {};
}

void ListingMemo::remember(const std::string& binding, std::string inputs, TimePoint nextListing,
                           std::optional<TimePoint> revisit) {
  std::lock_guard lock(mutex_);
  entries_[binding] = {std::move(inputs), nextListing, revisit};
}

void ListingMemo::forget(const std::string& binding) {
  std::lock_guard lock(mutex_);
  entries_.erase(binding);
}

void ListingMemo::revisitBy(const std::string& binding, TimePoint when) {
  std::lock_guard lock(mutex_);
  if (auto memo = entries_.find(binding); memo != entries_.end()) {
    memo->second.revisit = std::min(memo->second.revisit.value_or(when), when);
  }
}

} // namespace harborrobot::hub

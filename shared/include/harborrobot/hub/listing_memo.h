// The last robot listing per binding: its inputs, when to list again anyway,
// and the revisit it planned. A listing costs Harbor calls that grow with the
// namespaces, so it is repeated only when its outcome can differ. I/O free.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace harborrobot::hub {

class ListingMemo {
public:
  using TimePoint = std::chrono::system_clock::time_point;

  struct Check {
    bool listingDue = true;
    // Not due: the revisit the remembered listing planned.
    std::optional<TimePoint> revisit{};
  };

  // Due unless a listing with these inputs is remembered, its next listing is
  // still ahead, and so is the revisit it planned.
  Check check(const std::string& binding, const std::string& inputs, TimePoint now) const;
  void remember(const std::string& binding, std::string inputs, TimePoint nextListing,
                std::optional<TimePoint> revisit);
  // A failed listing is tried again, never remembered.
  void forget(const std::string& binding);
  // Makes sure the remembered listing is repeated by `when`.
  void revisitBy(const std::string& binding, TimePoint when);

private:
  struct Entry {
    std::string inputs;
    TimePoint nextListing;
    std::optional<TimePoint> revisit;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

} // namespace harborrobot::hub

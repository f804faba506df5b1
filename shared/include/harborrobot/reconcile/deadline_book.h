// Deadlines by key, soonest first: the hub API gives each connection a whole
// deadline for its TLS handshake and request headers (and for a body), where a
// socket timeout bounds only the wait for each next byte and a client sending
// one byte every few seconds would hold a thread for ever. Not thread-safe:
// its owner locks. Pure and clock-injected (tests/unit/reconcile/
// deadline_book_test.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

namespace harborrobot::reconcile {

class DeadlineBook {
public:
  using Time = std::chrono::steady_clock::time_point;

  // Sets (or moves) the deadline of `key`.
  void arm(int key, Time deadline);
  // `key` has no deadline any more (met, or gone).
  void disarm(int key);
  // Removes and returns the keys whose deadline is at or before `now`.
  std::vector<int> takeExpired(Time now);
  std::optional<Time> soonest() const;
  std::size_t size() const { return byKey_.size(); }

private:
  std::map<int, Time> byKey_;
  std::multimap<Time, int> byTime_;
};

} // namespace harborrobot::reconcile

// Open connections per client address, for the hub API: past the cap a new one
// is refused at once, before its TLS handshake costs anything, so one client
// cannot hold every thread with idle connections.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace harborrobot::reconcile {

class ConnectionCounts {
public:
  explicit ConnectionCounts(std::size_t cap) : cap_(cap) {}

  // Counts a new connection from `address`; false (not counted) at the cap.
  bool enter(const std::string& address);
  // The connection of an enter() that returned true has ended.
  void leave(const std::string& address);
  // Addresses with a connection open (idle ones are forgotten).
  std::size_t addresses() const;

private:
  std::size_t cap_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> counts_;
};

} // namespace harborrobot::reconcile

// Every request the simulator answered: method, path, status, latency and the
// caller's name, never a credential. Tests read it through /_sim/requests to
// count API calls (e.g. that a rotation made exactly one robot refresh).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace harborrobot::harborsim {

struct LoggedRequest {
  std::string method;
  std::string path;
  std::string query;
  int status = 0;
  std::chrono::microseconds latency{0};
  std::string caller;
  std::string fault; // "", "reset", "hang", "status"
};

class RequestLog {
public:
  explicit RequestLog(std::size_t capacity = 100000) : capacity_(capacity) {}
  void append(LoggedRequest entry);
  void clear();
  // The entries, oldest first, optionally only those whose path starts with
  // `pathPrefix`.
  nlohmann::json list(const std::string& pathPrefix) const;

private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::deque<LoggedRequest> entries_;
  std::size_t dropped_ = 0;
};

} // namespace harborrobot::harborsim

// Every request the simulator answered: method, path, status, latency, the
// caller's name, the User-Agent and the body, never a credential. Tests read it
// through /_sim/requests to count API calls (e.g. that a rotation made exactly
// one robot refresh); with a persist file, each entry is also appended there as
// one JSON line, which the Harbor contract check (tests/contract) reads.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace harborrobot::harborsim {

// Bodies longer than this are logged by size only.
inline constexpr std::size_t kLoggedBodyLimit = 64 * 1024;

struct LoggedRequest {
  std::string method;
  std::string path;
  std::string query;
  int status = 0;
  std::chrono::microseconds latency{0};
  std::string caller;
  std::string fault; // "", "reset", "hang", "status"
  std::string userAgent;
  std::string contentType;
  // Lower-case names; credentials (Authorization, cookies, CSRF token) left out.
  std::map<std::string, std::string> headers;
  // The body as describeBody() left it: null (none, or not logged), parsed
  // JSON with secrets redacted.
  nlohmann::json body;
  std::size_t bodyBytes = 0;
  std::string bodyNote; // why a body is not in `body`: "not JSON: ...", "over 65536 bytes", ...
  std::chrono::system_clock::time_point time{}; // set by append() when left empty
};

// Fills `entry`'s header and body fields from a request's headers (lower-case
// names) and raw body. A JSON body (by its Content-Type, or by its look when
// there is none) is parsed and every value under a key named "secret" or
// "password" becomes "<redacted>"; other bodies (registry blobs, forms) are
// recorded by size only, as they may be binary or carry a password.
void describeRequest(LoggedRequest& entry, const std::map<std::string, std::string>& headers,
                     const std::string& body);

class RequestLog {
public:
  explicit RequestLog(std::size_t capacity = 100000) : capacity_(capacity) {}
  // Also appends every entry, as one JSON line flushed at once, to
  // `directory`/harbor-sim-<pid>.jsonl (created if needed). Returns an error
  // naming the file when it cannot be opened.
  std::optional<std::string> persistTo(const std::filesystem::path& directory);
  void append(LoggedRequest entry);
  void clear(); // the in-memory entries only; a persist file keeps everything
  // The entries, oldest first, optionally only those whose path starts with
  // `pathPrefix`.
  nlohmann::json list(const std::string& pathPrefix) const;

private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::deque<LoggedRequest> entries_;
  std::size_t dropped_ = 0;
  std::ofstream persist_;
};

} // namespace harborrobot::harborsim

// Small text helpers the simulator's handlers share: query parameters and
// Harbor's timestamp format.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace harborrobot::harborsim {

// The first value of `key` in a raw query string, percent-decoded once.
std::string queryValue(const std::string& rawQuery, const std::string& key);
// Every value of `key`, in order (the token service takes repeated scopes).
std::vector<std::string> queryValues(const std::string& rawQuery, const std::string& key);
// RFC 3339 with milliseconds in UTC, as Harbor prints creation_time.
std::string rfc3339Millis(std::chrono::system_clock::time_point time);
// RFC 3339 to the second in UTC, as Harbor prints current_time and issued_at.
std::string rfc3339Seconds(std::chrono::system_clock::time_point time);

} // namespace harborrobot::harborsim

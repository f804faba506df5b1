#include "http_text.h"

#include <ctime>

#include <fmt/format.h>

#include "robot_rules.h"

namespace harborrobot::harborsim {

std::vector<std::string> queryValues(const std::string& rawQuery, const std::string& key) {
  std::vector<std::string> values;
  std::size_t at = 0;
  while (at < rawQuery.size()) {
    const auto amp = rawQuery.find('&', at);
    const std::string pair =
        rawQuery.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (pair.starts_with(key + "="))
      values.push_back(urlDecode(pair.substr(key.size() + 1)));
    at = amp == std::string::npos ? rawQuery.size() : amp + 1;
  }
  return values;
}

std::string queryValue(const std::string& rawQuery, const std::string& key) {
  auto values = queryValues(rawQuery, key);
  return values.empty() ? "" : values.front();
}

std::string rfc3339Seconds(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string rfc3339Millis(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, millis);
}

} // namespace harborrobot::harborsim

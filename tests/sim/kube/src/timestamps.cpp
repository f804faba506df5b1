#include "timestamps.h"

#include <ctime>
#include <regex>

namespace harborrobot::kubesim {

std::string formatTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string nowTimestamp() {
  return formatTimestamp(std::chrono::system_clock::now());
}

std::optional<std::chrono::system_clock::time_point> parseTimestamp(const std::string& text) {
  // 2025-05-15T10:33:41Z, 2025-05-15T10:33:41.123456Z or 2025-05-15T10:33:41+02:00.
  static const std::regex shape(
      R"((\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))");
  std::smatch match;
  if (text.size() > 64 || !std::regex_match(text, match, shape))
    return std::nullopt;
  std::tm utc{};
  utc.tm_year = std::stoi(match[1]) - 1900;
  utc.tm_mon = std::stoi(match[2]) - 1;
  utc.tm_mday = std::stoi(match[3]);
  utc.tm_hour = std::stoi(match[4]);
  utc.tm_min = std::stoi(match[5]);
  utc.tm_sec = std::stoi(match[6]);
  if (utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour > 23 ||
      utc.tm_min > 59 || utc.tm_sec > 60)
    return std::nullopt;
  std::time_t seconds = timegm(&utc);
  const std::string zone = match[8];
  if (zone != "Z" && zone != "z") {
    const int offset = std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60;
    seconds += zone[0] == '+' ? -offset : offset;
  }
  return std::chrono::system_clock::from_time_t(seconds);
}

} // namespace harborrobot::kubesim

// RFC 3339: "2026-11-24T09:48:29Z", "2026-11-24T09:48:29.123Z", "…+01:00".
#include "harborrobot/util/rfc3339.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace harborrobot {

namespace {

constexpr std::string_view kExpected = "an RFC 3339 time such as 2026-01-02T15:04:05Z";

bool readNumber(std::string_view text, std::size_t at, std::size_t digits, int& out) {
  if (at + digits > text.size()) {
    return false;
  }
  for (std::size_t i = at; i < at + digits; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return false;
    }
  }
  std::from_chars(text.data() + at, text.data() + at + digits, out);
  return true;
}

} // namespace

std::string formatRfc3339(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(time));
}

Result<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text,
                                                           std::string_view path) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const auto bad = [&] { return makeError(fieldError(path, text, "is not a time", kExpected)); };
  if (text.size() < 20 || !readNumber(text, 0, 4, year) || text[4] != '-' ||
      !readNumber(text, 5, 2, month) || text[7] != '-' || !readNumber(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !readNumber(text, 11, 2, hour) || text[13] != ':' ||
      !readNumber(text, 14, 2, minute) || text[16] != ':' || !readNumber(text, 17, 2, second)) {
    return bad();
  }
  std::size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (text[at] == '.') {
    ++at;
    std::int64_t scale = 100'000'000;
    const std::size_t start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) {
      fraction += std::chrono::nanoseconds((text[at] - '0') * scale);
      scale /= 10;
      ++at;
    }
    if (at == start) {
      return bad();
    }
  }
  std::chrono::minutes offset{0};
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    // UTC
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int offsetHours = 0, offsetMinutes = 0;
    if (!readNumber(text, at + 1, 2, offsetHours) || !readNumber(text, at + 4, 2, offsetMinutes)) {
      return bad();
    }
    offset = std::chrono::hours(offsetHours) + std::chrono::minutes(offsetMinutes);
    if (text[at] == '-') {
      offset = -offset;
    }
  } else {
    return bad();
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction) - offset;
}

} // namespace harborrobot

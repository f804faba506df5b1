#include "harborrobot/cli/duration_flag.h"

#include <string>

#include "harborrobot/util/go_duration.h"

namespace harborrobot::cli {

Result<std::chrono::milliseconds> parseDurationFlag(std::string_view flag, std::string_view value) {
  // Nine digits at most: a bare number larger than that is no timeout anyone means.
  const bool digitsOnly =
      !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
  if (digitsOnly && value.size() <= 9) {
    return std::chrono::milliseconds(std::stoll(std::string(value)) * 1000);
  }
  auto parsed = parseGoDuration(value);
  if (!parsed || parsed->count() < 0) {
    return makeError(fieldError(flag, value, "is not a duration",
                                "a number of seconds or a Go duration such as 30s, 2m or 1h"));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

std::chrono::milliseconds Deadline::left() const {
  const auto now = std::chrono::steady_clock::now();
  return now >= end_ ? std::chrono::milliseconds(0)
                     : std::chrono::duration_cast<std::chrono::milliseconds>(end_ - now);
}

} // namespace harborrobot::cli

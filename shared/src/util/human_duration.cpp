// kubectl's AGE format, with apimachinery HumanDuration's thresholds.
#include "harborrobot/util/human_duration.h"

#include <fmt/format.h>

namespace harborrobot {

std::string humanDuration(std::chrono::nanoseconds age) {
  // Up to 2 s in the future counts as "now": clocks of client and server differ.
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  if (seconds < -1) {
    return "<invalid>";
  }
  if (seconds < 0) {
    return "0s";
  }
  if (seconds < 60 * 2) {
    return fmt::format("{}s", seconds);
  }
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(age).count();
  if (minutes < 10) {
    const auto rest = seconds % 60;
    return rest == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, rest);
  }
  if (minutes < 60 * 3) {
    return fmt::format("{}m", minutes);
  }
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  if (hours < 8) {
    const auto rest = minutes % 60;
    return rest == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, rest);
  }
  if (hours < 48) {
    return fmt::format("{}h", hours);
  }
  if (hours < 24 * 8) {
    const auto rest = hours % 24;
    return rest == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, rest);
  }
  if (hours < 24 * 365 * 2) {
    return fmt::format("{}d", hours / 24);
  }
  if (hours < 24 * 365 * 8) {
    const auto days = (hours / 24) % 365;
    return days == 0 ? fmt::format("{}y", hours / 24 / 365)
                     : fmt::format("{}y{}d", hours / 24 / 365, days);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

} // namespace harborrobot

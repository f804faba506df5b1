// --timeout and friends as kubectl takes them, and the deadline a --wait loop
// runs against.
#pragma once

#include <chrono>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot::cli {

// "30s", "2m", "1h30m" (a Go duration) or a bare number of seconds; anything
// else is an error naming the flag, the value and both accepted forms.
[[nodiscard]] Result<std::chrono::milliseconds> parseDurationFlag(std::string_view flag,
                                                                  std::string_view value);

// A deadline for --wait/--timeout loops: ErrorCode::kDeadlineExceeded when passed.
class Deadline {
public:
  explicit Deadline(std::chrono::milliseconds budget)
      : end_(std::chrono::steady_clock::now() + budget) {}
  bool passed() const { return std::chrono::steady_clock::now() >= end_; }
  // What is left, never negative.
  std::chrono::milliseconds left() const;

private:
  std::chrono::steady_clock::time_point end_;
};

} // namespace harborrobot::cli

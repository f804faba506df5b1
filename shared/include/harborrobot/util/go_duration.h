// Go's time.Duration text form, parsed and printed exactly as Go's
// time.ParseDuration and Duration.String do (the Generator documentation's refreshInterval,
// url.alias.check.interval and the DR guide's check_interval use it).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot {

// Signed 64-bit nanoseconds, like Go's time.Duration.
using GoDuration = std::chrono::nanoseconds;

// Accepts what time.ParseDuration accepts: an optional sign, then one or more
// decimal numbers with optional fraction and a unit (ns, us, µs, μs, ms, s, m, h),
// e.g. "300ms", "-1.5h", "2h45m", "0". Overflow of int64 nanoseconds is an error.
// The error message mirrors Go's ("time: invalid duration \"6 hours\"",
// "time: missing unit in duration \"6\"", "time: unknown unit \"d\" in duration \"1d\"").
[[nodiscard]] Result<GoDuration> parseGoDuration(std::string_view text);

// Prints like Duration.String: "1h30m0s", "1.5s", "300ms", "0s", "-2m3.5s".
std::string formatGoDuration(GoDuration duration);

} // namespace harborrobot

// RFC 3339 timestamps as Kubernetes writes them in status fields (whole seconds,
// UTC, "Z"), and a parser that also takes fractional seconds and offsets, since
// peers and hand edits send those.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot {

std::string formatRfc3339(std::chrono::system_clock::time_point time);

// `path` names the field in the error message.
[[nodiscard]] Result<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text,
                                                                         std::string_view path);

} // namespace harborrobot

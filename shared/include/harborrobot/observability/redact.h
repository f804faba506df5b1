// Scrubs credentials out of foreign text (HTTP bodies, peer error messages)
// before it reaches a log, an event or a status: Authorization header values,
// "password"/"secret"/"token" JSON members, password= and token= parameters,
// and user:password@ in URLs.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot {

inline constexpr std::string_view kRedacted = "[redacted]";

std::string redactSecrets(std::string_view text);

} // namespace harborrobot

// Percent-encoding (RFC 3986) of a path segment or query value: everything but
// the unreserved characters A-Z a-z 0-9 - _ . ~ becomes %XX.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot::http {

std::string percentEncode(std::string_view value);

} // namespace harborrobot::http

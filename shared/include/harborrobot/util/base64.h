// Standard base64 (RFC 4648 §4, with padding), as Kubernetes uses for Secret data
// and as Docker uses for the "auth" field of a dockerconfigjson.
#pragma once

#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot {

std::string base64Encode(std::string_view bytes);

// Strict: the standard alphabet, padding required, no whitespace — what
// Go's encoding/base64.StdEncoding accepts. The error names the offset.
[[nodiscard]] Result<std::string> base64Decode(std::string_view text);

} // namespace harborrobot

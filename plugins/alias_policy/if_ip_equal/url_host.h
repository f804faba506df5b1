// The host part of a registry URL ("https://harbor-1.example.com:8443/x" →
// "harbor-1.example.com"; "https://[::1]:443" → "::1").
#pragma once

#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot::plugins::if_ip_equal {

[[nodiscard]] Result<std::string> hostOfUrl(std::string_view url);

} // namespace harborrobot::plugins::if_ip_equal

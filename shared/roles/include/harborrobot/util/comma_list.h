// Comma-separated names in a flag or an environment variable ("a,b,,c"):
// split with the empty entries dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harborrobot {

// The non-empty entries of `text` between commas, in order; "" yields none.
std::vector<std::string> splitCommaList(std::string_view text);

} // namespace harborrobot

// The JSONPath template parser.
#pragma once

#include <string_view>

#include "ast.h"
#include "harborrobot/core/result.h"

namespace harborrobot::jsonpath::internal {

[[nodiscard]] Result<std::vector<std::unique_ptr<Segment>>> parseTemplate(std::string_view text);

} // namespace harborrobot::jsonpath::internal

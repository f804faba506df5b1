// Evaluation of parsed JSONPath paths on JSON values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ast.h"

namespace harborrobot::jsonpath::internal {

struct Evaluation {
  std::vector<Json> values;
  // The first key that was missing along the way, when nothing was found.
  std::optional<std::string> missing;
};

Evaluation evaluatePath(const Path& path, const Json& current, const Json& root);

} // namespace harborrobot::jsonpath::internal

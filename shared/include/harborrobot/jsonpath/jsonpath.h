// kubectl JSONPath templates ("{.metadata.labels.cpaas\.io/inner-namespace}"),
// evaluated on nlohmann::json. Used for the connection Secret's
// harbor-robot-gen/projectFieldsPath and for CRD printer columns.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::jsonpath {

namespace internal {
struct Node;
} // namespace internal

// A parsed template: literal text and {…} expressions with fields, "\."-escaped
// keys, ['key'], [n], [start:end], [*], .., filters [?(@.a=="b")], range/end.
class Template {
public:
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  [[nodiscard]] static Result<Template> parse(std::string_view text);

  // Renders as kubectl does: each expression's results printed and joined by a
  // space; strings unquoted, other values as compact JSON. A key that does not
  // exist is an error with code kNotFound (kubectl: "<path> is not found"), so a
  // caller can tell "absent" from "present but empty".
  [[nodiscard]] Result<std::string> execute(const nlohmann::json& input) const;

  // The raw values each expression yields (for printer columns and resolvers).
  [[nodiscard]] Result<std::vector<nlohmann::json>> values(const nlohmann::json& input) const;

  const std::string& source() const { return source_; }

private:
  Template();
  std::string source_;
  std::vector<std::unique_ptr<internal::Node>> nodes_;
};

} // namespace harborrobot::jsonpath

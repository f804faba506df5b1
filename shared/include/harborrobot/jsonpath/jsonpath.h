// kubectl JSONPath templates ("{.metadata.labels.cpaas\.io/inner-namespace}"),
// evaluated on nlohmann::json with client-go's semantics. Used for the connection
// Secret's harbor-robot-gen/projectFieldsPath and for CRD printer columns.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::jsonpath {

namespace internal {
struct Segment;
} // namespace internal

class Template {
public:
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  // Literal text and {…} actions: fields (.a.b, with "\." escaping a dot in a key),
  // ['key'] and ["key"], [n] and negative n, [start:end:step], [*], .., unions
  // [a,b], filters [?(@.a=="b")] with == != < > <= >= and existence [?(@.a)],
  // range … end, string literals {"\n"}, and @ / $.
  [[nodiscard]] static Result<Template> parse(std::string_view text);

  // Renders as kubectl does: strings raw, other values as compact JSON, several
  // results of one action joined by a space. A key that does not exist is an error
  // with code kNotFound ("<field> is not found") unless `allowMissingKeys`, so a
  // caller can tell "absent" from "present but empty".
  [[nodiscard]] Result<std::string> execute(const nlohmann::json& input,
                                            bool allowMissingKeys = false) const;

  // The values the template's actions yield, in order (literal text excluded).
  // Missing keys yield nothing.
  [[nodiscard]] Result<std::vector<nlohmann::json>> values(const nlohmann::json& input) const;

  const std::string& source() const { return source_; }

private:
  Template();
  std::string source_;
  std::vector<std::unique_ptr<internal::Segment>> segments_;
};

} // namespace harborrobot::jsonpath

// The parsed form of a JSONPath template: segments of literal text, actions
// (a path or a literal), and range blocks; paths as a list of steps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::jsonpath::internal {

using Json = nlohmann::json;

struct Step;
using Path = std::vector<Step>;

struct FieldStep {
  std::string name; // "*" for every member
};
struct RecursiveStep {
  std::string name; // "*" for every descendant
};
struct IndexStep {
  std::vector<std::variant<std::int64_t, std::string>> keys; // [0], ['a'], [0,2], ['a','b']
};
struct SliceStep {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  std::optional<std::int64_t> step;
};
struct WildcardStep {};

// An operand of a filter: a path relative to @ (or $), or a literal.
struct Operand {
  bool isPath = false;
  bool fromRoot = false;
  Path path;
  Json literal;
};
struct FilterStep {
  Operand left;
  std::string op; // "" = existence test of left
  Operand right;
};

struct Step {
  std::variant<FieldStep, RecursiveStep, IndexStep, SliceStep, WildcardStep, FilterStep> kind;
};

struct Segment {
  enum class Type { kText, kPath, kLiteral, kRange };
  Type type = Type::kText;
  std::string text; // kText, kLiteral
  bool fromRoot = false;
  Path path;                                  // kPath, kRange
  std::vector<std::unique_ptr<Segment>> body; // kRange
  std::string source;                         // the action as written, for "... is not found"
};

} // namespace harborrobot::jsonpath::internal

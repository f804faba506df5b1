// Step-by-step evaluation: each step maps the current list of values to the next.
#include "evaluator.h"

namespace harborrobot::jsonpath::internal {

namespace {

struct Context {
  const Json& root;
  std::optional<std::string> missing;
  void noteMissing(const std::string& key) {
    if (!missing) {
      missing = key;
    }
  }
};

void collectDescendants(const Json& value, const std::string& name, std::vector<Json>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (name == "*" || key == name) {
        out.push_back(child);
      }
      collectDescendants(child, name, out);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) {
      if (name == "*") {
        out.push_back(child);
      }
      collectDescendants(child, name, out);
    }
  }
}

std::vector<Json> applyStep(const Step& step, const std::vector<Json>& inputs, Context& context);

bool compare(const Json& left, const std::string& op, const Json& right) {
  if (op == "==") {
    return left == right;
  }
  if (op == "!=") {
    return left != right;
  }
  const bool numbers = left.is_number() && right.is_number();
  const bool strings = left.is_string() && right.is_string();
  if (!numbers && !strings) {
    return false;
  }
  if (op == "<") {
    return left < right;
  }
  if (op == ">") {
    return left > right;
  }
  if (op == "<=") {
    return left <= right;
  }
  return left >= right;
}

std::vector<Json> operandValues(const Operand& operand, const Json& element, Context& context) {
  if (!operand.isPath) {
    return {operand.literal};
  }
  std::vector<Json> current = {operand.fromRoot ? context.root : element};
  Context inner{context.root, std::nullopt};
  for (const auto& step : operand.path) {
    current = applyStep(step, current, inner);
  }
  return current;
}

bool matchesFilter(const FilterStep& filter, const Json& element, Context& context) {
  const auto left = operandValues(filter.left, element, context);
  if (filter.op.empty()) {
    return !left.empty() && !(left.size() == 1 && left.front().is_null());
  }
  const auto right = operandValues(filter.right, element, context);
  if (left.empty() || right.empty()) {
    return false;
  }
  return compare(left.front(), filter.op, right.front());
}

std::vector<Json> applyStep(const Step& step, const std::vector<Json>& inputs, Context& context) {
  std::vector<Json> out;
  for (const Json& value : inputs) {
    std::visit(
        [&](const auto& kind) {
          using Kind = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<Kind, FieldStep>) {
            if (kind.name == "*") {
              if (value.is_object() || value.is_array()) {
                for (const auto& child : value) {
                  out.push_back(child);
                }
              }
            } else if (value.is_object() && value.contains(kind.name)) {
              out.push_back(value[kind.name]);
            } else {
              context.noteMissing(kind.name);
            }
          } else if constexpr (std::is_same_v<Kind, RecursiveStep>) {
            collectDescendants(value, kind.name, out);
          } else if constexpr (std::is_same_v<Kind, WildcardStep>) {
            if (value.is_object() || value.is_array()) {
              for (const auto& child : value) {
                out.push_back(child);
              }
            }
          } else if constexpr (std::is_same_v<Kind, IndexStep>) {
            for (const auto& key : kind.keys) {
              if (const auto* index = std::get_if<std::int64_t>(&key)) {
                if (!value.is_array()) {
                  context.noteMissing("[" + std::to_string(*index) + "]");
                  continue;
                }
                const auto size = static_cast<std::int64_t>(value.size());
                const std::int64_t at = *index < 0 ? size + *index : *index;
                if (at < 0 || at >= size) {
                  context.noteMissing("[" + std::to_string(*index) + "]");
                  continue;
                }
                out.push_back(value[static_cast<std::size_t>(at)]);
              } else {
                const auto& name = std::get<std::string>(key);
                if (value.is_object() && value.contains(name)) {
                  out.push_back(value[name]);
                } else {
                  context.noteMissing(name);
                }
              }
            }
          } else if constexpr (std::is_same_v<Kind, SliceStep>) {
            if (!value.is_array()) {
              return;
            }
            const auto size = static_cast<std::int64_t>(value.size());
            const std::int64_t stepBy = kind.step.value_or(1);
            const auto clamp = [&](std::optional<std::int64_t> bound, std::int64_t fallback) {
              if (!bound) {
                return fallback;
              }
              std::int64_t position = *bound < 0 ? size + *bound : *bound;
              return std::clamp<std::int64_t>(position, stepBy > 0 ? 0 : -1,
                                              stepBy > 0 ? size : size - 1);
            };
            if (stepBy > 0) {
              for (std::int64_t i = clamp(kind.start, 0); i < clamp(kind.end, size); i += stepBy) {
                out.push_back(value[static_cast<std::size_t>(i)]);
              }
            } else {
              for (std::int64_t i = clamp(kind.start, size - 1); i > clamp(kind.end, -1);
                   i += stepBy) {
                out.push_back(value[static_cast<std::size_t>(i)]);
              }
            }
          } else if constexpr (std::is_same_v<Kind, FilterStep>) {
            if (value.is_array()) {
              for (const auto& element : value) {
                if (matchesFilter(kind, element, context)) {
                  out.push_back(element);
                }
              }
            } else if (matchesFilter(kind, value, context)) {
              out.push_back(value);
            }
          }
        },
        step.kind);
  }
  return out;
}

} // namespace

Evaluation evaluatePath(const Path& path, const Json& current, const Json& root) {
  Context context{root, std::nullopt};
  std::vector<Json> values = {current};
  for (const auto& step : path) {
    values = applyStep(step, values, context);
  }
  Evaluation evaluation;
  evaluation.values = std::move(values);
  if (evaluation.values.empty()) {
    evaluation.missing = context.missing;
  }
  return evaluation;
}

} // namespace harborrobot::jsonpath::internal

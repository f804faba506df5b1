// Label selectors: validation with apimachinery's rules, matching, the string form.
#include "harborrobot/model/label_selector.h"
#include "harborrobot/util/json_text.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace harborrobot {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kKeyExpectation =
    "a name of at most 63 alphanumerics, '-', '_' or '.' that starts and ends alphanumeric, "
    "optionally prefixed by a DNS subdomain and '/', e.g. goharbor.io/project";
constexpr std::string_view kValueExpectation =
    "empty, or at most 63 alphanumerics, '-', '_' or '.' that start and end alphanumeric";

bool isLabelName(std::string_view text) {
  static const std::regex name("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  return !text.empty() && text.size() <= 63 && std::regex_match(text.begin(), text.end(), name);
}

bool isDnsSubdomain(std::string_view text) {
  static const std::regex subdomain(
      R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)");
  return !text.empty() && text.size() <= 253 &&
         std::regex_match(text.begin(), text.end(), subdomain);
}

std::string_view operatorName(SelectorOperator op) {
  switch (op) {
  case SelectorOperator::kIn:
    return "In";
  case SelectorOperator::kNotIn:
    return "NotIn";
  case SelectorOperator::kExists:
    return "Exists";
  case SelectorOperator::kDoesNotExist:
    return "DoesNotExist";
  case SelectorOperator::kGreaterThan:
    return "Gt";
  case SelectorOperator::kLessThan:
    return "Lt";
  }
  return "";
}

std::optional<std::int64_t> integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Where a requirement's problems are reported: the structured form has key and
// values fields to name; the string form has none, so its problems are reported
// at the selector itself (a flag such as --selector), naming the part at fault.
enum class RequirementPaths { kFields, kWhole };

Status validateRequirement(const SelectorRequirement& requirement, const std::string& path,
                           RequirementPaths paths = RequirementPaths::kFields) {
  const bool fields = paths == RequirementPaths::kFields;
  const std::string valuesPath = fields ? path + ".values" : path;
  if (auto key = validateLabelKey(requirement.key, fields ? path + ".key" : path); !key) {
    return key;
  }
  switch (requirement.op) {
  case SelectorOperator::kIn:
  case SelectorOperator::kNotIn:
    if (requirement.values.empty()) {
      return makeError(fieldErrorWithoutValue(
          valuesPath,
          fmt::format("must be specified when operator is {}", operatorName(requirement.op)),
          "at least one value"));
    }
    break;
  case SelectorOperator::kExists:
  case SelectorOperator::kDoesNotExist:
    if (!requirement.values.empty()) {
      return makeError(fieldErrorWithoutValue(
          valuesPath,
          fmt::format("may not be specified when operator is {}", operatorName(requirement.op)),
          "no values"));
    }
    break;
  case SelectorOperator::kGreaterThan:
  case SelectorOperator::kLessThan:
    if (requirement.values.size() != 1 || !integer(requirement.values.front())) {
      return makeError(fieldError(valuesPath,
                                  requirement.values.empty() ? "" : requirement.values.front(),
                                  "is not a single integer", "e.g. replicas>2"));
    }
    return ok();
  }
  for (std::size_t i = 0; i < requirement.values.size(); ++i) {
    if (auto value = validateLabelValue(requirement.values[i],
                                        fields ? fmt::format("{}[{}]", valuesPath, i) : path);
        !value) {
      return value;
    }
  }
  return ok();
}

} // namespace

Status validateLabelKey(std::string_view key, std::string_view path) {
  const auto slash = key.find('/');
  std::string_view name = key;
  if (slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (name.find('/') != std::string_view::npos || !isDnsSubdomain(prefix)) {
      return makeError(fieldError(path, key, "is not a valid label key", kKeyExpectation));
    }
  }
  if (!isLabelName(name)) {
    return makeError(fieldError(path, key, "is not a valid label key", kKeyExpectation));
  }
  return ok();
}

Status validateLabelValue(std::string_view value, std::string_view path) {
  if (value.empty()) {
    return ok();
  }
  if (!isLabelName(value)) {
    return makeError(fieldError(path, value, "is not a valid label value", kValueExpectation));
  }
  return ok();
}

LabelSelector LabelSelector::nothing() {
  LabelSelector selector;
  selector.matches_nothing_ = true;
  return selector;
}

Result<LabelSelector>
LabelSelector::fromRequirements(std::vector<SelectorRequirement> requirements) {
  for (std::size_t i = 0; i < requirements.size(); ++i) {
    if (auto valid = validateRequirement(requirements[i], fmt::format("requirements[{}]", i));
        !valid) {
      return makeError(valid.error());
    }
    std::sort(requirements[i].values.begin(), requirements[i].values.end());
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  LabelSelector selector;
  selector.requirements_ = std::move(requirements);
  return selector;
}

bool LabelSelector::matches(const Labels& labels) const {
  if (matches_nothing_) {
    return false;
  }
  for (const auto& requirement : requirements_) {
    const auto found = labels.find(requirement.key);
    const bool present = found != labels.end();
    const auto listed = [&] {
      return present && std::find(requirement.values.begin(), requirement.values.end(),
                                  found->second) != requirement.values.end();
    };
    switch (requirement.op) {
    case SelectorOperator::kIn:
      if (!listed()) {
        return false;
      }
      break;
    case SelectorOperator::kNotIn:
      if (listed()) {
        return false;
      }
      break;
    case SelectorOperator::kExists:
      if (!present) {
        return false;
      }
      break;
    case SelectorOperator::kDoesNotExist:
      if (present) {
        return false;
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      const auto actual = present ? integer(found->second) : std::nullopt;
      const auto bound = integer(requirement.values.front());
      if (!actual || !bound ||
          (requirement.op == SelectorOperator::kGreaterThan ? *actual <= *bound
                                                            : *actual >= *bound)) {
        return false;
      }
      break;
    }
    }
  }
  return true;
}

std::string LabelSelector::toString() const {
  std::vector<std::string> parts;
  for (const auto& requirement : requirements_) {
    const std::string& key = requirement.key;
    switch (requirement.op) {
    case SelectorOperator::kIn:
      parts.push_back(requirement.values.size() == 1
                          ? fmt::format("{}={}", key, requirement.values.front())
                          : fmt::format("{} in ({})", key, fmt::join(requirement.values, ",")));
      break;
    case SelectorOperator::kNotIn:
      parts.push_back(requirement.values.size() == 1
                          ? fmt::format("{}!={}", key, requirement.values.front())
                          : fmt::format("{} notin ({})", key, fmt::join(requirement.values, ",")));
      break;
    case SelectorOperator::kExists:
      parts.push_back(key);
      break;
    case SelectorOperator::kDoesNotExist:
      parts.push_back("!" + key);
      break;
    case SelectorOperator::kGreaterThan:
      parts.push_back(fmt::format("{}>{}", key, requirement.values.front()));
      break;
    case SelectorOperator::kLessThan:
      parts.push_back(fmt::format("{}<{}", key, requirement.values.front()));
      break;
    }
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

Result<LabelSelector> labelSelectorFromJson(const Json& json, std::string_view path) {
  const std::string base(path);
  if (json.is_null()) {
    return LabelSelector::nothing();
  }
  if (!json.is_object()) {
    return makeError(fieldError(base, jsonText(json), "is not an object",
                                "{matchLabels: {...}, matchExpressions: [...]}"));
  }
  std::vector<SelectorRequirement> requirements;
  for (const auto& [field, value] : json.items()) {
    if (field != "matchLabels" && field != "matchExpressions") {
      return makeError(fieldError(base + "." + field, field, "is not a known field",
                                  "matchLabels or matchExpressions"));
    }
  }
  if (json.contains("matchLabels") && !json["matchLabels"].is_null()) {
    const Json& matchLabels = json["matchLabels"];
    if (!matchLabels.is_object()) {
      return makeError(fieldError(base + ".matchLabels", jsonText(matchLabels), "is not an object",
                                  "a map of label keys to values"));
    }
    for (const auto& [key, value] : matchLabels.items()) {
      const std::string keyPath = fmt::format("{}.matchLabels[{}]", base, key);
      if (auto valid = validateLabelKey(key, base + ".matchLabels"); !valid) {
        return makeError(valid.error());
      }
      if (!value.is_string()) {
        return makeError(fieldError(keyPath, jsonText(value), "is not a string", "a label value"));
      }
      if (auto valid = validateLabelValue(value.get<std::string>(), keyPath); !valid) {
        return makeError(valid.error());
      }
      requirements.push_back({key, SelectorOperator::kIn, {value.get<std::string>()}});
    }
  }
  if (json.contains("matchExpressions") && !json["matchExpressions"].is_null()) {
    const Json& expressions = json["matchExpressions"];
    if (!expressions.is_array()) {
      return makeError(fieldError(base + ".matchExpressions", jsonText(expressions),
                                  "is not a list", "a list of {key, operator, values}"));
    }
    for (std::size_t i = 0; i < expressions.size(); ++i) {
      const Json& expression = expressions[i];
      const std::string itemPath = fmt::format("{}.matchExpressions[{}]", base, i);
      if (!expression.is_object()) {
        return makeError(fieldError(itemPath, jsonText(expression), "is not an object",
                                    "{key, operator, values}"));
      }
      for (const auto& [field, value] : expression.items()) {
        if (field != "key" && field != "operator" && field != "values") {
          return makeError(fieldError(itemPath + "." + field, field, "is not a known field",
                                      "key, operator or values"));
        }
      }
      if (!expression.contains("key") || !expression["key"].is_string()) {
        return makeError(fieldErrorWithoutValue(itemPath + ".key", "is required", "a label key"));
      }
      if (!expression.contains("operator") || !expression["operator"].is_string()) {
        return makeError(fieldErrorWithoutValue(itemPath + ".operator", "is required",
                                                "In, NotIn, Exists or DoesNotExist"));
      }
      const std::string op = expression["operator"];
      SelectorRequirement requirement{expression["key"], SelectorOperator::kIn, {}};
      if (op == "In") {
        requirement.op = SelectorOperator::kIn;
      } else if (op == "NotIn") {
        requirement.op = SelectorOperator::kNotIn;
      } else if (op == "Exists") {
        requirement.op = SelectorOperator::kExists;
      } else if (op == "DoesNotExist") {
        requirement.op = SelectorOperator::kDoesNotExist;
      } else {
        return makeError(fieldError(itemPath + ".operator", op, "is not a valid selector operator",
                                    "In, NotIn, Exists or DoesNotExist"));
      }
      if (expression.contains("values") && !expression["values"].is_null()) {
        if (!expression["values"].is_array()) {
          return makeError(fieldError(itemPath + ".values", jsonText(expression["values"]),
                                      "is not a list", "a list of label values"));
        }
        for (std::size_t j = 0; j < expression["values"].size(); ++j) {
          const Json& value = expression["values"][j];
          if (!value.is_string()) {
            return makeError(fieldError(fmt::format("{}.values[{}]", itemPath, j), jsonText(value),
                                        "is not a string", "a label value"));
          }
          requirement.values.push_back(value);
        }
      }
      if (auto valid = validateRequirement(requirement, itemPath); !valid) {
        return makeError(valid.error());
      }
      requirements.push_back(std::move(requirement));
    }
  }
  return LabelSelector::fromRequirements(std::move(requirements));
}

Result<Json> labelSelectorToJson(const LabelSelector& selector, std::string_view path) {
  if (selector.matchesNothing()) {
    return Json(nullptr);
  }
  Json matchLabels = Json::object();
  Json matchExpressions = Json::array();
  for (const auto& requirement : selector.requirements()) {
    switch (requirement.op) {
    case SelectorOperator::kIn:
      // A second equality on one key ("a=b,a=c", which selects nothing) stays a
      // requirement of its own rather than overwriting the first.
      if (requirement.values.size() == 1 && !matchLabels.contains(requirement.key)) {
        matchLabels[requirement.key] = requirement.values.front();
        break;
      }
      [[fallthrough]];
    case SelectorOperator::kNotIn:
      matchExpressions.push_back({{"key", requirement.key},
                                  {"operator", operatorName(requirement.op)},
                                  {"values", requirement.values}});
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      matchExpressions.push_back(
          {{"key", requirement.key}, {"operator", operatorName(requirement.op)}});
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      return makeError(
          fieldError(path,
                     fmt::format("{}{}{}", requirement.key,
                                 requirement.op == SelectorOperator::kGreaterThan ? ">" : "<",
                                 requirement.values.empty() ? "" : requirement.values.front()),
                     "cannot be written as a LabelSelector (its matchExpressions have no > or <)",
                     "=, ==, !=, in (...), notin (...), KEY or !KEY"));
    }
  }
  Json json = Json::object();
  if (!matchLabels.empty()) {
    json["matchLabels"] = std::move(matchLabels);
  }
  if (!matchExpressions.empty()) {
    json["matchExpressions"] = std::move(matchExpressions);
  }
  return json;
}

namespace {

// A small lexer for the string form.
class SelectorLexer {
public:
  explicit SelectorLexer(std::string_view text) : text_(text) {}

  void skipSpace() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t')) {
      ++position_;
    }
  }
  bool done() {
    skipSpace();
    return position_ >= text_.size();
  }
  bool consume(std::string_view token) {
    skipSpace();
    if (text_.substr(position_).starts_with(token)) {
      position_ += token.size();
      return true;
    }
    return false;
  }
  // Words end at spaces and at the selector's punctuation.
  std::string word() {
    skipSpace();
    const std::size_t start = position_;
    while (position_ < text_.size() &&
           std::string_view(" \t,()=!<>").find(text_[position_]) == std::string_view::npos) {
      ++position_;
    }
    return std::string(text_.substr(start, position_ - start));
  }
  bool peekWord(std::string_view expected) {
    const std::size_t saved = position_;
    const bool match = word() == expected;
    position_ = saved;
    return match;
  }
  std::size_t position() const { return position_; }

private:
  std::string_view text_;
  std::size_t position_ = 0;
};

Error selectorError(std::string_view path, std::string_view text, std::size_t position,
                    std::string_view problem) {
  return fieldError(path, text, fmt::format("{} at position {}", problem, position),
                    "e.g. a=b,c!=d,e in (x,y),!f");
}

} // namespace

Result<LabelSelector> parseLabelSelectorString(std::string_view text, std::string_view path) {
  const std::string base(path);
  SelectorLexer lexer(text);
  std::vector<SelectorRequirement> requirements;
  if (lexer.done()) {
    return LabelSelector();
  }
  while (true) {
    SelectorRequirement requirement;
    if (lexer.consume("!")) {
      requirement.key = lexer.word();
      requirement.op = SelectorOperator::kDoesNotExist;
    } else {
      requirement.key = lexer.word();
      if (requirement.key.empty()) {
        return makeError(selectorError(path, text, lexer.position(), "a key is missing"));
      }
      if (lexer.consume("==") || lexer.consume("=")) {
        requirement.op = SelectorOperator::kIn;
        requirement.values.push_back(lexer.word());
      } else if (lexer.consume("!=")) {
        requirement.op = SelectorOperator::kNotIn;
        requirement.values.push_back(lexer.word());
      } else if (lexer.consume(">")) {
        requirement.op = SelectorOperator::kGreaterThan;
        requirement.values.push_back(lexer.word());
      } else if (lexer.consume("<")) {
        requirement.op = SelectorOperator::kLessThan;
        requirement.values.push_back(lexer.word());
      } else if (lexer.peekWord("in") || lexer.peekWord("notin")) {
        requirement.op = lexer.word() == "in" ? SelectorOperator::kIn : SelectorOperator::kNotIn;
        if (!lexer.consume("(")) {
          return makeError(selectorError(path, text, lexer.position(), "'(' is missing"));
        }
        while (true) {
          requirement.values.push_back(lexer.word());
          if (lexer.consume(")")) {
            break;
          }
          if (!lexer.consume(",")) {
            return makeError(selectorError(path, text, lexer.position(), "',' or ')' is missing"));
          }
        }
      } else {
        requirement.op = SelectorOperator::kExists;
      }
    }
    if (auto valid = validateRequirement(requirement, base, RequirementPaths::kWhole); !valid) {
      return makeError(valid.error());
    }
    requirements.push_back(std::move(requirement));
    if (lexer.done()) {
      break;
    }
    if (!lexer.consume(",")) {
      return makeError(selectorError(path, text, lexer.position(), "',' is missing"));
    }
  }
  return LabelSelector::fromRequirements(std::move(requirements));
}

} // namespace harborrobot

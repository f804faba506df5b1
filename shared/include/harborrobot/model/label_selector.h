// Kubernetes label selectors: the structured metav1.LabelSelector (matchLabels +
// matchExpressions) with apimachinery's validation, and the string form used in
// ?labelSelector= and kubectl -l ("a=b,c!=d,e in (x,y),!f").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot {

using Labels = std::map<std::string, std::string, std::less<>>;

enum class SelectorOperator {
  kIn,           // key in (v1,v2); also "key=v" and "key==v" in the string form
  kNotIn,        // key notin (v1,v2); also "key!=v" (matches when the key is absent)
  kExists,       // key
  kDoesNotExist, // !key
  kGreaterThan,  // key>5 (string form only; integer comparison)
  kLessThan,     // key<5 (string form only)
};

struct SelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;

  bool operator==(const SelectorRequirement&) const = default;
};

// A parsed selector. An empty selector matches everything; a default-constructed
// "nothing" selector (matchesNothing) matches no object, as metav1 treats a nil
// LabelSelector in LabelSelectorAsSelector.
class LabelSelector {
public:
  LabelSelector() = default;
  static LabelSelector nothing();

  // Requirements are kept sorted by key, as apimachinery does, so toString() is
  // deterministic.
  static Result<LabelSelector> fromRequirements(std::vector<SelectorRequirement> requirements);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty() && !matches_nothing_; }
  bool matchesNothing() const { return matches_nothing_; }
  const std::vector<SelectorRequirement>& requirements() const { return requirements_; }

  // The canonical string form ("a=b,c!=d,e in (x,y),!f"), parseable by
  // parseLabelSelectorString.
  std::string toString() const;

private:
  std::vector<SelectorRequirement> requirements_;
  bool matches_nothing_ = false;
};

// metav1.LabelSelector from JSON ({"matchLabels":{...},"matchExpressions":[...]}),
// validated as apimachinery does (label keys and values, operator names, values
// required for In/NotIn and forbidden for Exists/DoesNotExist). `path` prefixes
// every error, e.g. "spec.namespaces.selector.matchExpressions[0].operator".
[[nodiscard]] Result<LabelSelector> labelSelectorFromJson(const nlohmann::json& json,
                                                          std::string_view path);

// The structured form of a selector, as labelSelectorFromJson reads it back:
// single-value equalities as matchLabels, every other requirement as a
// matchExpressions entry in key order; null for nothing(). A > or < requirement
// has no structured form and is refused with an error at `path`.
[[nodiscard]] Result<nlohmann::json> labelSelectorToJson(const LabelSelector& selector,
                                                         std::string_view path);

// The string form, as labels.Parse accepts it. `path` names the input in errors
// (e.g. "--selector"); the string form has no fields, so every problem is
// reported there, naming the text or the part of it at fault.
[[nodiscard]] Result<LabelSelector> parseLabelSelectorString(std::string_view text,
                                                             std::string_view path = "selector");

// Validation of a label key (optional DNS-1123 subdomain prefix + "/" + name) and
// value, with apimachinery's messages.
[[nodiscard]] Status validateLabelKey(std::string_view key, std::string_view path);
[[nodiscard]] Status validateLabelValue(std::string_view value, std::string_view path);

} // namespace harborrobot

// yaml-cpp nodes to nlohmann::json, with YAML 1.1 scalar resolution as go-yaml v2
// (under sigs.k8s.io/yaml) applies it to plain scalars.
#include "harborrobot/util/yaml_json.h"

#include <cmath>
#include <limits>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace harborrobot {

namespace {

using Json = nlohmann::json;

const std::set<std::string, std::less<>> kTrue = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                                  "True", "TRUE", "on",  "On",  "ON"};
const std::set<std::string, std::less<>> kFalse = {"n",     "N",     "no",  "No",  "NO", "false",
                                                   "False", "FALSE", "off", "Off", "OFF"};

Error positioned(const YAML::Mark& mark, std::string_view message) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("yaml: line {}, column {}: {}",
                                                        mark.line + 1, mark.column + 1, message));
}

// A plain scalar's JSON value: null, bool, integer, float, or the string itself.
Json resolvePlain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (kTrue.contains(text)) {
    return true;
  }
  if (kFalse.contains(text)) {
    return false;
  }
  static const std::regex decimal(R"([-+]?(0|[1-9][0-9_]*))");
  static const std::regex hex(R"([-+]?0x[0-9a-fA-F_]+)");
  static const std::regex octal(R"([-+]?0[0-7_]+)");
  static const std::regex binary(R"([-+]?0b[01_]+)");
  static const std::regex floating(R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?)");
  std::string digits;
  for (const char c : text) {
    if (c != '_') {
      digits += c;
    }
  }
  try {
    if (std::regex_match(text, decimal)) {
      return std::stoll(digits);
    }
    const bool negative = digits.front() == '-';
    const std::string unsigned_ =
        digits.front() == '-' || digits.front() == '+' ? digits.substr(1) : digits;
    if (std::regex_match(text, hex)) {
      const long long value = std::stoll(unsigned_.substr(2), nullptr, 16);
      return negative ? -value : value;
    }
    if (std::regex_match(text, binary)) {
      const long long value = std::stoll(unsigned_.substr(2), nullptr, 2);
      return negative ? -value : value;
    }
    if (std::regex_match(text, octal)) {
      const long long value = std::stoll(unsigned_, nullptr, 8);
      return negative ? -value : value;
    }
    if (std::regex_match(text, floating)) {
      return std::stod(digits);
    }
  } catch (const std::out_of_range&) {
    // Integers beyond int64 become floats, as go-yaml does; past double, a string.
    try {
      return std::stod(digits);
    } catch (const std::exception&) {
      return text;
    }
  }
  if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf" || text == "-.inf" ||
      text == ".nan" || text == ".NaN" || text == ".NAN") {
    // JSON has no infinities or NaN: keep the text, as a string is what a
    // Kubernetes schema would then reject with a clear message.
    return text;
  }
  return text;
}

// Aliases can build exponentially large documents ("billion laughs"): every
// conversion counts the nodes it produces and stops at a bound far above any
// real manifest.
struct Budget {
  std::size_t nodes = 0;
  static constexpr std::size_t kMaxNodes = 100'000;
};

Result<Json> convert(const YAML::Node& node, int depth, Budget& budget);

Result<std::string> keyText(const YAML::Node& key) {
  if (!key.IsScalar()) {
    return makeError(positioned(key.Mark(), "a mapping key must be a scalar"));
  }
  return key.Scalar();
}

Status mergeInto(Json& target, const Json& source, const YAML::Mark& mark) {
  if (!source.is_object()) {
    return makeError(positioned(mark, "a merge key (<<) needs a mapping or a list of mappings"));
  }
  for (const auto& [key, value] : source.items()) {
    if (!target.contains(key)) {
      target[key] = value;
    }
  }
  return ok();
}

Result<Json> convertMap(const YAML::Node& node, int depth, Budget& budget) {
  Json object = Json::object();
  std::vector<std::pair<Json, YAML::Mark>> merges;
  std::set<std::string> seen;
  for (const auto& entry : node) {
    auto key = keyText(entry.first);
    if (!key) {
      return makeError(key.error());
    }
    auto value = convert(entry.second, depth + 1, budget);
    if (!value) {
      return makeError(value.error());
    }
    if (*key == "<<" && entry.first.Tag() == "?") {
      merges.emplace_back(std::move(*value), entry.first.Mark());
      continue;
    }
    if (!seen.insert(*key).second) {
      return makeError(
          positioned(entry.first.Mark(), fmt::format("mapping key \"{}\" already defined", *key)));
    }
    object[*key] = std::move(*value);
  }
  // Keys written in the mapping itself win over merged ones; earlier merges win
  // over later ones.
  for (const auto& [merged, mark] : merges) {
    if (merged.is_array()) {
      for (const auto& element : merged) {
        if (auto status = mergeInto(object, element, mark); !status) {
          return makeError(status.error());
        }
      }
    } else if (auto status = mergeInto(object, merged, mark); !status) {
      return makeError(status.error());
    }
  }
  return object;
}

Result<Json> convert(const YAML::Node& node, int depth, Budget& budget) {
  if (++budget.nodes > Budget::kMaxNodes) {
    return makeError(ErrorCode::kInvalidArgument,
                     "yaml: document expands to more than 100000 nodes (aliases?)");
  }
  constexpr int kMaxDepth = 200;
  if (depth > kMaxDepth) {
    return makeError(positioned(node.Mark(), "document nests deeper than 200 levels"));
  }
  switch (node.Type()) {
  case YAML::NodeType::Undefined:
  case YAML::NodeType::Null:
    return Json(nullptr);
  case YAML::NodeType::Scalar: {
    const std::string& tag = node.Tag();
    if (tag == "?") {
      return resolvePlain(node.Scalar());
    }
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
      Json resolved = resolvePlain(node.Scalar());
      if (resolved.is_string()) {
        return makeError(positioned(
            node.Mark(), fmt::format("cannot decode {} as {}", node.Scalar(), tag.substr(18))));
      }
      return resolved;
    }
    return Json(node.Scalar()); // quoted, block, or !!str
  }
  case YAML::NodeType::Sequence: {
    Json array = Json::array();
    for (const auto& element : node) {
      auto value = convert(element, depth + 1, budget);
      if (!value) {
        return makeError(value.error());
      }
      array.push_back(std::move(*value));
    }
    return array;
  }
  case YAML::NodeType::Map:
    return convertMap(node, depth, budget);
  }
  return Json(nullptr);
}

Result<Json> convertDocument(const YAML::Node& document) {
  Budget budget;
  return convert(document, 0, budget);
}

} // namespace

Result<std::vector<nlohmann::json>> yamlDocumentsToJson(std::string_view text) {
  try {
    std::vector<Json> documents;
    for (const auto& document : YAML::LoadAll(std::string(text))) {
      auto converted = convertDocument(document);
      if (!converted) {
        return makeError(converted.error());
      }
      if (!converted->is_null()) {
        documents.push_back(std::move(*converted));
      }
    }
    return documents;
  } catch (const YAML::Exception& error) {
    return makeError(positioned(error.mark, error.msg));
  }
}

Result<nlohmann::json> yamlToJson(std::string_view text) {
  try {
    return convertDocument(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& error) {
    return makeError(positioned(error.mark, error.msg));
  }
}

} // namespace harborrobot

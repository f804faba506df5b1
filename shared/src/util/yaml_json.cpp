// yaml-cpp nodes to nlohmann::json, with YAML 1.1 scalar resolution as go-yaml v2
// (under sigs.k8s.io/yaml) applies it to plain scalars.
#include "harborrobot/util/yaml_json.h"

#include <cmath>
#include <limits>
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

// Scanners for YAML 1.1 numbers. Hand-written rather than std::regex: libstdc++'s
// regex recurses once per character, and a scalar of a few thousand digits would
// exhaust the stack.
bool allOf(std::string_view text, std::string_view alphabet) {
  return !text.empty() && text.find_first_not_of(alphabet) == std::string_view::npos &&
         text.front() != '_';
}

std::string_view withoutSign(std::string_view text) {
  return !text.empty() && (text.front() == '-' || text.front() == '+') ? text.substr(1) : text;
}

bool isDecimal(std::string_view text) {
  const auto digits = withoutSign(text);
  return digits == "0" || (allOf(digits, "0123456789_") && digits.front() != '0');
}

bool isPrefixed(std::string_view text, std::string_view prefix, std::string_view alphabet) {
  const auto digits = withoutSign(text);
  return digits.starts_with(prefix) && allOf(digits.substr(prefix.size()), alphabet);
}

bool isOctal(std::string_view text) {
  const auto digits = withoutSign(text);
  return digits.size() > 1 && digits.front() == '0' && allOf(digits.substr(1), "01234567_");
}

bool isFloat(std::string_view text) {
  auto rest = withoutSign(text);
  const auto mantissaEnd = rest.find_first_of("eE");
  const auto mantissa = rest.substr(0, mantissaEnd);
  const auto dot = mantissa.find('.');
  if (mantissa.empty() || mantissa == ".") {
    return false;
  }
  const auto whole = mantissa.substr(0, dot);
  const auto fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (dot == std::string_view::npos && whole.empty()) {
    return false;
  }
  if (!whole.empty() && (!allOf(whole, "0123456789_") || whole.front() == '_')) {
    return false;
  }
  if (!fraction.empty() && fraction.find_first_not_of("0123456789_") != std::string_view::npos) {
    return false;
  }
  if (whole.empty() && fraction.empty()) {
    return false;
  }
  if (mantissaEnd == std::string_view::npos) {
    return dot != std::string_view::npos || !whole.empty();
  }
  auto exponent = rest.substr(mantissaEnd + 1);
  exponent = withoutSign(exponent);
  return !exponent.empty() && exponent.find_first_not_of("0123456789") == std::string_view::npos;
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
  // Longer than any int64 or double anyone writes by hand: a string.
  if (text.size() > 64) {
    return text;
  }
  std::string digits;
  for (const char c : text) {
    if (c != '_') {
      digits += c;
    }
  }
  const bool negative = !digits.empty() && digits.front() == '-';
  const std::string unsignedDigits(withoutSign(digits));
  try {
    if (isDecimal(text)) {
      return std::stoll(digits);
    }
    if (isPrefixed(text, "0x", "0123456789abcdefABCDEF_")) {
      const long long value = std::stoll(unsignedDigits.substr(2), nullptr, 16);
      return negative ? -value : value;
    }
    if (isPrefixed(text, "0b", "01_")) {
      const long long value = std::stoll(unsignedDigits.substr(2), nullptr, 2);
      return negative ? -value : value;
    }
    if (isOctal(text)) {
      const long long value = std::stoll(unsignedDigits, nullptr, 8);
      return negative ? -value : value;
    }
    if (isFloat(text)) {
      return std::stod(digits);
    }
  } catch (const std::exception&) {
    // Integers beyond int64 become floats, as go-yaml does; past double, a string.
    try {
      return std::stod(digits);
    } catch (const std::exception&) {
      return text;
    }
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

// Splits a stream into documents the way kubectl's YAML reader does: a line that
// starts with "---" and has nothing after it but spaces or a comment separates
// documents. Each document is then loaded alone, which also keeps yaml-cpp's
// LoadAll out of the way: on some malformed streams it never returns (found by
// libFuzzer).
struct Chunk {
  std::string text;
  int firstLine = 0; // 0-based line of the chunk's first line in the stream
};

Result<std::vector<Chunk>> splitDocuments(std::string_view text) {
  std::vector<Chunk> chunks(1);
  int line = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view current = text.substr(0, end);
    if (current.starts_with("---")) {
      auto rest = current.substr(3);
      const auto first = rest.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && rest[first] != '#') {
        return makeError(ErrorCode::kInvalidArgument,
                         fmt::format("yaml: line {}: invalid document separator: {}", line + 1,
                                     std::string(current.substr(0, 80))));
      }
      chunks.push_back({std::string(), line + 1});
    } else {
      chunks.back().text.append(current);
      chunks.back().text += '\n';
    }
    ++line;
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return chunks;
}

} // namespace

Result<std::vector<nlohmann::json>> yamlDocumentsToJson(std::string_view text) {
  auto chunks = splitDocuments(text);
  if (!chunks) {
    return makeError(chunks.error());
  }
  std::vector<Json> documents;
  for (const auto& chunk : *chunks) {
    try {
      auto converted = convertDocument(YAML::Load(chunk.text));
      if (!converted) {
        return makeError(converted.error());
      }
      if (!converted->is_null()) {
        documents.push_back(std::move(*converted));
      }
    } catch (const YAML::Exception& error) {
      YAML::Mark mark = error.mark;
      mark.line += chunk.firstLine;
      return makeError(positioned(mark, error.msg));
    }
  }
  return documents;
}

Result<nlohmann::json> yamlToJson(std::string_view text) {
  try {
    return convertDocument(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& error) {
    return makeError(positioned(error.mark, error.msg));
  }
}

} // namespace harborrobot

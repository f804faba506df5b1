#include "field_selector.h"

#include <algorithm>
#include <sstream>

namespace harborrobot::kubesim {
namespace {

// Splits on commas not escaped with a backslash, then unescapes.
std::vector<std::string> splitTerms(const std::string& text) {
  std::vector<std::string> terms;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == ',') {
      terms.push_back(current);
      current.clear();
    } else {
      current += text[i];
    }
  }
  terms.push_back(current);
  return terms;
}

std::string unescape(const std::string& text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size())
      ++i;
    plain += text[i];
  }
  return plain;
}

} // namespace

void FieldSelector::convertLabels(const std::function<std::string(const std::string&)>& convert) {
  for (auto& requirement : requirements_)
    requirement.field = convert(requirement.field);
}

ApiResult<FieldSelector> FieldSelector::parse(const std::string& text,
                                              const std::vector<std::string>& selectable) {
  FieldSelector selector;
  if (text.empty())
    return selector;
  for (const auto& term : splitTerms(text)) {
    FieldRequirement requirement;
    std::size_t opAt = std::string::npos;
    std::size_t opLength = 0;
    for (std::size_t i = 0; i < term.size(); ++i) {
      if (term[i] == '\\') {
        ++i;
      } else if (term.compare(i, 2, "!=") == 0) {
        opAt = i, opLength = 2, requirement.equals = false;
        break;
      } else if (term.compare(i, 2, "==") == 0) {
        opAt = i, opLength = 2;
        break;
      } else if (term[i] == '=') {
        opAt = i, opLength = 1;
        break;
      }
    }
    if (opAt == std::string::npos) {
      return tl::unexpected(badRequest("invalid field selector: invalid selector: '" + text +
                                       "'; can't understand '" + term + "'"));
    }
    requirement.field = unescape(term.substr(0, opAt));
    requirement.value = unescape(term.substr(opAt + opLength));
    const bool known =
        requirement.field == "metadata.name" || requirement.field == "metadata.namespace" ||
        std::find(selectable.begin(), selectable.end(), requirement.field) != selectable.end();
    if (!known) {
      return tl::unexpected(badRequest("\"" + requirement.field +
                                       "\" is not a known field selector: only "
                                       "\"metadata.name\", \"metadata.namespace\""));
    }
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

std::string selectableFieldValue(const nlohmann::json& object, const std::string& field) {
  if (field == "source")
    return selectableFieldValue(object, "source.component");
  const nlohmann::json* node = &object;
  std::istringstream path(field);
  for (std::string part; std::getline(path, part, '.');) {
    if (!node->is_object() || !node->contains(part))
      return "";
    node = &(*node)[part];
  }
  if (node->is_string())
    return node->get<std::string>();
  if (node->is_null())
    return "";
  return node->dump();
}

std::string nameRequestedBy(const std::string& fieldSelector) {
  if (fieldSelector.empty())
    return "";
  std::string name;
  bool found = false;
  for (const auto& term : splitTerms(fieldSelector)) {
    std::size_t opAt = std::string::npos;
    std::size_t opLength = 0;
    bool equals = true;
    for (std::size_t i = 0; i < term.size() && opAt == std::string::npos; ++i) {
      if (term[i] == '\\') {
        ++i;
      } else if (term.compare(i, 2, "!=") == 0 || term.compare(i, 2, "==") == 0) {
        opAt = i, opLength = 2, equals = term[i] == '=';
      } else if (term[i] == '=') {
        opAt = i, opLength = 1;
      }
    }
    if (opAt == std::string::npos)
      return ""; // fields.ParseSelector fails: requestinfo.go sets no name
    // apimachinery pkg/fields/selector.go (andTerm.RequiresExactMatch): the first
    // equality term on the field.
    if (!found && equals && unescape(term.substr(0, opAt)) == "metadata.name") {
      name = unescape(term.substr(opAt + opLength));
      found = true;
    }
  }
  // apimachinery pkg/api/validation/path/name.go (IsValidPathSegmentName).
  if (name == "." || name == ".." || name.find_first_of("/%") != std::string::npos)
    return "";
  return name;
}

bool FieldSelector::matches(const nlohmann::json& object) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const auto& requirement) {
    return (selectableFieldValue(object, requirement.field) == requirement.value) ==
           requirement.equals;
  });
}

} // namespace harborrobot::kubesim

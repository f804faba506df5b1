// Emitted with yaml-cpp; scalars that YAML 1.1 would re-type are double-quoted so
// that `kubectl apply -f` of the output reads back the same JSON.
#include "harborrobot/util/json_to_yaml.h"

#include <regex>

#include <yaml-cpp/yaml.h>

namespace harborrobot {

namespace {

bool needsQuotes(const std::string& text) {
  if (text.empty()) {
    return true;
  }
  // Booleans, nulls and numbers of YAML 1.1 (what sigs.k8s.io/yaml resolves).
  static const std::regex kRetyped(
      "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
      "null|Null|NULL|~|[-+]?[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\\.[0-9_]+|"
      "0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$");
  return std::regex_match(text, kRetyped);
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
  case nlohmann::json::value_t::object:
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& [key, member] : value.items()) {
      out << YAML::Key;
      emit(out, nlohmann::json(key));
      out << YAML::Value;
      emit(out, member);
    }
    out << YAML::EndMap;
    return;
  case nlohmann::json::value_t::array:
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& item : value) {
      emit(out, item);
    }
    out << YAML::EndSeq;
    return;
  case nlohmann::json::value_t::string: {
    const auto& text = value.get_ref<const std::string&>();
    if (needsQuotes(text)) {
      out << YAML::DoubleQuoted << text;
    } else if (text.find('\n') != std::string::npos) {
      out << YAML::Literal << text;
    } else {
      out << text;
    }
    return;
  }
  case nlohmann::json::value_t::boolean:
    out << value.get<bool>();
    return;
  case nlohmann::json::value_t::null:
    out << YAML::Null;
    return;
  default:
    out << value.dump(); // numbers print as JSON does
    return;
  }
}

} // namespace

std::string jsonToYaml(const nlohmann::json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetBoolFormat(YAML::TrueFalseBool);
  out.SetBoolFormat(YAML::LowerCase);
  emit(out, value);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') {
    text += '\n';
  }
  return text;
}

} // namespace harborrobot

#include "crd_schema.h"

#include <algorithm>
#include <regex>
#include <set>

#include "timestamps.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool preservesUnknown(const json& schema) {
  return schema.value("x-kubernetes-preserve-unknown-fields", false);
}

void checkSchemaStructure(const json& schema, const std::string& path, std::vector<Cause>& causes,
                          int depth) {
  if (depth > 64) {
    causes.push_back(forbiddenValue(path, "schema nesting is too deep"));
    return;
  }
  if (!schema.is_object()) {
    causes.push_back(invalidValue(path, schema, "must be an object"));
    return;
  }
  const bool intOrString = schema.value("x-kubernetes-int-or-string", false);
  if (!schema.contains("type") && !intOrString && !preservesUnknown(schema)) {
    causes.push_back(
        requiredValue(path + ".type", "must not be empty for specified object fields"));
  }
  if (schema.contains("type")) {
    static const std::vector<std::string> kTypes = {"object",  "array",  "string",
                                                    "integer", "number", "boolean"};
    const json& type = schema["type"];
    if (!type.is_string() ||
        std::find(kTypes.begin(), kTypes.end(), type.get<std::string>()) == kTypes.end()) {
      causes.push_back(unsupportedValue(path + ".type", type, kTypes));
    }
  }
  if (schema.contains("properties") && schema.contains("additionalProperties") &&
      schema["additionalProperties"] != false) {
    causes.push_back(forbiddenValue(path + ".additionalProperties",
                                    "additionalProperties and properties are mutual exclusive"));
  }
  if (schema.contains("properties") && schema["properties"].is_object()) {
    for (const auto& [key, child] : schema["properties"].items())
      checkSchemaStructure(child, path + ".properties[" + key + "]", causes, depth + 1);
  }
  if (schema.contains("items"))
    checkSchemaStructure(schema["items"], path + ".items", causes, depth + 1);
  if (schema.value("type", "") == "array" && !schema.contains("items"))
    causes.push_back(requiredValue(path + ".items", "must be specified"));
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    checkSchemaStructure(schema["additionalProperties"], path + ".additionalProperties", causes,
                         depth + 1);
  }
  if (schema.contains("pattern") && schema["pattern"].is_string()) {
    try {
      std::regex compiled(schema["pattern"].get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      causes.push_back(
          invalidValue(path + ".pattern", schema["pattern"], "must be a valid regular expression"));
    }
  }
}

std::string stringOr(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string()
             ? object[key].get<std::string>()
             : "";
}

} // namespace

std::vector<Cause> validateCrd(const json& crd) {
  std::vector<Cause> causes;
  const json spec = crd.value("spec", json::object());
  const std::string group = stringOr(spec, "group");
  const json names = spec.value("names", json::object());
  const std::string plural = stringOr(names, "plural");
  const std::string kind = stringOr(names, "kind");
  const std::string name = stringOr(crd.value("metadata", json::object()), "name");
  if (group.empty())
    causes.push_back(requiredValue("spec.group"));
  else if (group.find('.') == std::string::npos)
    causes.push_back(invalidValue("spec.group", group, "should be a domain with at least one dot"));
  if (plural.empty())
    causes.push_back(requiredValue("spec.names.plural"));
  if (kind.empty())
    causes.push_back(requiredValue("spec.names.kind"));
  if (!plural.empty() && !group.empty() && name != plural + "." + group) {
    causes.push_back(
        invalidValue("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
  }
  const std::string scope = stringOr(spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster")
    causes.push_back(
        unsupportedValue("spec.scope", spec.value("scope", json()), {"Cluster", "Namespaced"}));
  const json versions = spec.value("versions", json::array());
  if (!versions.is_array() || versions.empty()) {
    causes.push_back(invalidValue("spec.versions", versions,
                                  "must have exactly one version marked as storage version"));
    return causes;
  }
  int storageVersions = 0;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const json& version = versions[i];
    const std::string path = "spec.versions[" + std::to_string(i) + "]";
    if (!version.is_object()) {
      causes.push_back(invalidValue(path, version, "must be an object"));
      continue;
    }
    if (stringOr(version, "name").empty())
      causes.push_back(requiredValue(path + ".name"));
    if (version.value("storage", false))
      ++storageVersions;
    const json schema = version.value("schema", json::object()).value("openAPIV3Schema", json());
    if (schema.is_null()) {
      causes.push_back(requiredValue(path + ".schema.openAPIV3Schema", "schemas are required"));
      continue;
    }
    checkSchemaStructure(schema, path + ".schema.openAPIV3Schema", causes, 0);
    if (schema.is_object() && schema.value("type", "") != "object") {
      causes.push_back(invalidValue(path + ".schema.openAPIV3Schema.type",
                                    schema.value("type", json()), "must be object at the root"));
    }
  }
  if (storageVersions != 1) {
    causes.push_back(invalidValue("spec.versions", versions,
                                  "must have exactly one version marked as storage version"));
  }
  return causes;
}

std::vector<ResourceType> typesFromCrd(const json& crd) {
  std::vector<ResourceType> types;
  const json& spec = crd["spec"];
  const json& names = spec["names"];
  for (const auto& version : spec["versions"]) {
    if (!version.value("served", false))
      continue;
    ResourceType type;
    type.group = spec["group"];
    type.version = version["name"];
    type.plural = names["plural"];
    type.kind = names["kind"];
    type.singular = stringOr(names, "singular");
    if (type.singular.empty()) {
      type.singular = type.kind;
      std::transform(type.singular.begin(), type.singular.end(), type.singular.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    type.namespaced = spec["scope"] == "Namespaced";
    type.shortNames = names.value("shortNames", std::vector<std::string>{});
    type.categories = names.value("categories", std::vector<std::string>{});
    type.verbs = {"create", "delete", "deletecollection", "get",
                  "list",   "patch",  "update",           "watch"};
    const json subresources = version.value("subresources", json::object());
    if (subresources.contains("status"))
      type.subresources.push_back("status");
    type.schema = version.value("schema", json::object()).value("openAPIV3Schema", json::object());
    for (const auto& column : version.value("additionalPrinterColumns", json::array())) {
      PrinterColumn printer;
      printer.name = stringOr(column, "name");
      printer.type = stringOr(column, "type");
      printer.format = stringOr(column, "format");
      printer.description = stringOr(column, "description");
      printer.jsonPath = stringOr(column, "jsonPath");
      printer.priority = column.value("priority", 0);
      type.printerColumns.push_back(std::move(printer));
    }
    for (const auto& selectable : version.value("selectableFields", json::array())) {
      std::string path = stringOr(selectable, "jsonPath");
      if (path.starts_with("."))
        path = path.substr(1);
      type.selectableFields.push_back(path);
    }
    type.custom = true;
    types.push_back(std::move(type));
  }
  return types;
}

json establishCrd(json crd) {
  const std::string now = nowTimestamp();
  json names = crd["spec"]["names"];
  if (!names.contains("singular")) {
    std::string singular = names["kind"];
    std::transform(singular.begin(), singular.end(), singular.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    names["singular"] = singular;
  }
  if (!names.contains("listKind"))
    names["listKind"] = names["kind"].get<std::string>() + "List";
  json storedVersions = json::array();
  for (const auto& version : crd["spec"]["versions"]) {
    if (version.value("storage", false))
      storedVersions.push_back(version["name"]);
  }
  crd["status"] = {{"acceptedNames", names},
                   {"storedVersions", storedVersions},
                   {"conditions",
                    {{{"type", "NamesAccepted"},
                      {"status", "True"},
                      {"lastTransitionTime", now},
                      {"reason", "NoConflicts"},
                      {"message", "no conflicts found"}},
                     {{"type", "Established"},
                      {"status", "True"},
                      {"lastTransitionTime", now},
                      {"reason", "InitialNamesAccepted"},
                      {"message", "the initial names have been accepted"}}}}};
  return crd;
}

namespace {

// apiextensions-apiserver pkg/apiserver/schema/defaulting/prunenulls.go
// PruneNonNullableNullsWithoutDefaults, run before defaulting: a null in a
// property or additionalProperties value whose schema is not nullable is
// removed (then a default, if any, fills it) instead of failing validation.
void pruneNonNullableNulls(const json& schema, json& value) {
  const json properties = schema.value("properties", json::object());
  const json additional = schema.value("additionalProperties", json());
  for (auto it = value.begin(); it != value.end();) {
    const json* child = nullptr;
    if (properties.is_object() && properties.contains(it.key()))
      child = &properties[it.key()];
    else if (additional.is_object())
      child = &additional;
    if (it.value().is_null() && child != nullptr && !child->value("nullable", false))
      it = value.erase(it);
    else
      ++it;
  }
}

void pruneValue(const json& schema, json& value, const std::string& path,
                std::vector<std::string>& unknownFields, int depth) {
  if (depth > 128 || !schema.is_object())
    return;
  if (value.is_object()) {
    const bool preserve = preservesUnknown(schema);
    const json properties = schema.value("properties", json::object());
    pruneNonNullableNulls(schema, value);
    if (properties.is_object()) {
      for (const auto& [key, child] : properties.items()) {
        if (!value.contains(key) && child.is_object() && child.contains("default"))
          value[key] = child["default"];
      }
    }
    const json additional = schema.value("additionalProperties", json());
    for (auto it = value.begin(); it != value.end();) {
      const std::string key = it.key();
      if (properties.is_object() && properties.contains(key)) {
        pruneValue(properties[key], it.value(), join(path, key), unknownFields, depth + 1);
        ++it;
      } else if (additional.is_object()) {
        pruneValue(additional, it.value(), join(path, key), unknownFields, depth + 1);
        ++it;
      } else if (preserve || additional == true) {
        ++it;
      } else {
        unknownFields.push_back(join(path, key));
        it = value.erase(it);
      }
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i)
      pruneValue(schema["items"], value[i], path + "[" + std::to_string(i) + "]", unknownFields,
                 depth + 1);
  }
}

std::string jsonTypeName(const json& value) {
  if (value.is_string())
    return "string";
  if (value.is_number_integer())
    return "integer";
  if (value.is_number())
    return "number";
  if (value.is_boolean())
    return "boolean";
  if (value.is_array())
    return "array";
  if (value.is_object())
    return "object";
  return "null";
}

bool hasType(const json& value, const std::string& type) {
  if (type == "string")
    return value.is_string();
  if (type == "integer")
    return value.is_number_integer() ||
           (value.is_number_float() &&
            value.get<double>() ==
                static_cast<double>(static_cast<long long>(value.get<double>())));
  if (type == "number")
    return value.is_number();
  if (type == "boolean")
    return value.is_boolean();
  if (type == "array")
    return value.is_array();
  if (type == "object")
    return value.is_object();
  return true;
}

void validateValue(const json& schema, const json& value, const std::string& path,
                   std::vector<Cause>& causes, int depth) {
  if (depth > 128 || !schema.is_object())
    return;
  if (value.is_null()) {
    if (!schema.value("nullable", false) && schema.contains("type"))
      causes.push_back(invalidValue(path, "null",
                                    path + " in body must be of type " +
                                        schema["type"].get<std::string>() + ": \"null\""));
    return;
  }
  if (schema.value("x-kubernetes-int-or-string", false)) {
    if (!value.is_string() && !value.is_number_integer()) {
      causes.push_back(invalidValue(path, jsonTypeName(value),
                                    path + " in body must be of type integer,string: \"" +
                                        jsonTypeName(value) + "\""));
    }
    return;
  }
  const std::string type = schema.value("type", "");
  if (!type.empty() && !hasType(value, type)) {
    causes.push_back(invalidValue(path, jsonTypeName(value),
                                  path + " in body must be of type " + type + ": \"" +
                                      jsonTypeName(value) + "\""));
    return;
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    const json& options = schema["enum"];
    if (std::find(options.begin(), options.end(), value) == options.end()) {
      std::vector<std::string> supported;
      for (const auto& option : options)
        supported.push_back(option.is_string() ? option.get<std::string>() : option.dump());
      causes.push_back(unsupportedValue(path, value, supported));
    }
  }
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (schema.contains("minLength") && text.size() < schema["minLength"].get<std::size_t>()) {
      causes.push_back(invalidValue(path, value,
                                    path + " in body should be at least " +
                                        std::to_string(schema["minLength"].get<std::size_t>()) +
                                        " chars long"));
    }
    if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<std::size_t>()) {
      causes.push_back({"FieldValueTooLong", path,
                        "Too long: may not be more than " +
                            std::to_string(schema["maxLength"].get<std::size_t>()) + " bytes"});
    }
    if (schema.contains("pattern") && schema["pattern"].is_string()) {
      try {
        const std::regex pattern(schema["pattern"].get<std::string>(), std::regex::ECMAScript);
        if (text.size() <= 4096 && !std::regex_search(text, pattern)) {
          causes.push_back(invalidValue(path, value,
                                        path + " in body should match '" +
                                            schema["pattern"].get<std::string>() + "'"));
        }
      } catch (const std::regex_error&) {
      }
    }
    if (schema.value("format", "") == "date-time" && !parseTimestamp(text)) {
      causes.push_back(
          invalidValue(path, value, path + " in body must be of type date-time: " + goQuote(text)));
    }
  }
  if (value.is_number()) {
    const double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      causes.push_back(invalidValue(path, value,
                                    path + " in body should be greater than or equal to " +
                                        schema["minimum"].dump()));
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      causes.push_back(invalidValue(path, value,
                                    path + " in body should be less than or equal to " +
                                        schema["maximum"].dump()));
    }
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>()) {
      causes.push_back(invalidValue(path, value.size(),
                                    path + " in body should have at least " +
                                        schema["minItems"].dump() + " items"));
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
      causes.push_back({"FieldValueTooMany", path,
                        "Too many: " + std::to_string(value.size()) + ": must have at most " +
                            schema["maxItems"].dump() + " items"});
    }
    if (schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i)
        validateValue(schema["items"], value[i], path + "[" + std::to_string(i) + "]", causes,
                      depth + 1);
    }
  }
  if (value.is_object()) {
    if (schema.contains("required") && schema["required"].is_array()) {
      for (const auto& required : schema["required"]) {
        if (required.is_string() && !value.contains(required.get<std::string>()))
          causes.push_back(requiredValue(join(path, required.get<std::string>())));
      }
    }
    const json properties = schema.value("properties", json::object());
    const json additional = schema.value("additionalProperties", json());
    for (const auto& [key, child] : value.items()) {
      if (properties.is_object() && properties.contains(key))
        validateValue(properties[key], child, join(path, key), causes, depth + 1);
      else if (additional.is_object())
        validateValue(additional, child, join(path, key), causes, depth + 1);
    }
  }
}

} // namespace

void defaultAndPrune(const json& schema, json& object, std::vector<std::string>& unknownFields) {
  if (!object.is_object() || !schema.is_object())
    return;
  const json properties = schema.value("properties", json::object());
  for (auto it = object.begin(); it != object.end();) {
    if (it.key() != "metadata" && it.value().is_null() && properties.is_object() &&
        properties.contains(it.key()) && !properties[it.key()].value("nullable", false)) {
      it = object.erase(it);
      continue;
    }
    const std::string key = it.key();
    if (key == "apiVersion" || key == "kind" || key == "metadata") {
      ++it;
    } else if (properties.is_object() && properties.contains(key)) {
      pruneValue(properties[key], it.value(), key, unknownFields, 1);
      ++it;
    } else if (preservesUnknown(schema)) {
      ++it;
    } else {
      unknownFields.push_back(key);
      it = object.erase(it);
    }
  }
  if (properties.is_object()) {
    for (const auto& [key, child] : properties.items()) {
      if (key != "metadata" && !object.contains(key) && child.is_object() &&
          child.contains("default"))
        object[key] = child["default"];
    }
  }
}

std::vector<Cause> validateAgainstSchema(const json& schema, const json& object) {
  std::vector<Cause> causes;
  if (!schema.is_object())
    return causes;
  const json properties = schema.value("properties", json::object());
  if (schema.contains("required") && schema["required"].is_array()) {
    for (const auto& required : schema["required"]) {
      if (required.is_string() && !object.contains(required.get<std::string>()))
        causes.push_back(requiredValue(required.get<std::string>()));
    }
  }
  for (const auto& [key, child] : object.items()) {
    if (key == "apiVersion" || key == "kind" || key == "metadata")
      continue;
    if (properties.is_object() && properties.contains(key))
      validateValue(properties[key], child, key, causes, 1);
  }
  return causes;
}

} // namespace harborrobot::kubesim

// JSON to YAML as kubectl prints it (-o yaml, --dry-run manifests): block style,
// keys in the object's order, strings quoted only where YAML would read them as
// something else ("true", "0123", "", "null", ": x").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace harborrobot {

std::string jsonToYaml(const nlohmann::json& value);

} // namespace harborrobot

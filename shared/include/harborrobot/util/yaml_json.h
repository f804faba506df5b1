// YAML to JSON the way kubectl reads manifests (sigs.k8s.io/yaml over YAML 1.1
// resolution): plain scalars become numbers, booleans and null; quoted ones stay
// strings; anchors, aliases and "<<" merge keys are expanded; keys become strings.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot {

// One document. Errors carry the position: "yaml: line 3, column 5: …".
[[nodiscard]] Result<nlohmann::json> yamlToJson(std::string_view text);

// Every non-empty document of a "---"-separated stream, in order.
[[nodiscard]] Result<std::vector<nlohmann::json>> yamlDocumentsToJson(std::string_view text);

} // namespace harborrobot

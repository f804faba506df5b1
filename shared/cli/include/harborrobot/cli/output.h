// Printing as kubectl does: -o yaml / -o json for machines, aligned tables with
// upper-case headers for people.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::cli {

enum class OutputFormat { kText, kYaml, kJson };

// "", "yaml" or "json"; anything else names the flag and the choices.
[[nodiscard]] Result<OutputFormat> parseOutputFormat(std::string_view value);

// One object as YAML or JSON.
std::string formatObject(const nlohmann::json& object, OutputFormat format);
// Several objects: YAML documents separated by "---", or a JSON v1 List.
std::string formatObjects(const std::vector<nlohmann::json>& objects, OutputFormat format);

// Columns padded to the widest cell, three spaces apart (kubectl's layout).
std::string formatTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

// "5m", "3h12m", "2d": kubectl's age of a time relative to now.
std::string ageOf(std::string_view rfc3339);

// "deployment/harborrobot-hub": an object as kubectl names it in what it did.
std::string describeObject(const nlohmann::json& object);

} // namespace harborrobot::cli

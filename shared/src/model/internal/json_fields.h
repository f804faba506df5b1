// Reading fields of a JSON object with messages that name the path, the value
// and the expectation. Shared by the model parsers.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::internal {

using Json = nlohmann::json;

// "a.b" + "c" → "a.b.c"; an empty parent gives just the key.
std::string childPath(std::string_view parent, std::string_view key);

// The value as a message shows it: strings raw, everything else as compact JSON.
std::string shown(const Json& value);

[[nodiscard]] Status requireObject(const Json& value, std::string_view path,
                                   std::string_view expected);
[[nodiscard]] Status rejectUnknownFields(const Json& object, std::string_view path,
                                         std::initializer_list<std::string_view> known);
// nullopt when absent or null.
[[nodiscard]] Result<std::optional<std::string>>
optionalString(const Json& object, std::string_view key, std::string_view path);
[[nodiscard]] Result<std::string> requiredString(const Json& object, std::string_view key,
                                                 std::string_view path, std::string_view expected);

} // namespace harborrobot::internal

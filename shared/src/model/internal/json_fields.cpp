// JSON field helpers for the model parsers.
#include "json_fields.h"
#include "harborrobot/util/json_text.h"

#include <algorithm>

#include <fmt/format.h>

namespace harborrobot::internal {

std::string childPath(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string shown(const Json& value) {
  return value.is_string() ? value.get<std::string>() : jsonText(value);
}

Status requireObject(const Json& value, std::string_view path, std::string_view expected) {
  if (!value.is_object()) {
    return makeError(fieldError(path, shown(value), "is not an object", expected));
  }
  return ok();
}

Status rejectUnknownFields(const Json& object, std::string_view path,
                           std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return makeError(fieldError(childPath(path, key), key, "is not a known field",
                                  fmt::format("one of {}", fmt::join(known, ", "))));
    }
  }
  return ok();
}

Result<std::optional<std::string>> optionalString(const Json& object, std::string_view key,
                                                  std::string_view path) {
  const std::string name(key);
  if (!object.contains(name) || object[name].is_null()) {
    return std::optional<std::string>();
  }
  if (!object[name].is_string()) {
    return makeError(
        fieldError(childPath(path, key), shown(object[name]), "is not a string", "a string"));
  }
  return std::optional<std::string>(object[name].get<std::string>());
}

Result<std::string> requiredString(const Json& object, std::string_view key, std::string_view path,
                                   std::string_view expected) {
  auto value = optionalString(object, key, path);
  if (!value) {
    return makeError(value.error());
  }
  if (!*value || (*value)->empty()) {
    return makeError(fieldErrorWithoutValue(childPath(path, key), "is required", expected));
  }
  return **value;
}

} // namespace harborrobot::internal

// JSON to text without exceptions: nlohmann::json's dump() throws on strings that
// are not UTF-8, and such strings do arrive from YAML and from peers. Invalid
// bytes become U+FFFD instead.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace harborrobot {

inline std::string jsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace harborrobot

namespace harborrobot {

// Lookups that never throw: a missing key, a value that is not an object, or a
// member of another type yields the fallback. nlohmann::json's value() throws on
// a type mismatch, and both manifests and peers can send any type anywhere.
inline std::string stringField(const nlohmann::json& object, std::string_view key,
                               std::string fallback = {}) {
  if (object.is_object()) {
    const auto found = object.find(key);
    if (found != object.end() && found->is_string()) {
      return found->get<std::string>();
    }
  }
  return fallback;
}

inline std::int64_t intField(const nlohmann::json& object, std::string_view key,
                             std::int64_t fallback) {
  if (object.is_object()) {
    const auto found = object.find(key);
    if (found != object.end() && found->is_number_integer()) {
      return found->get<std::int64_t>();
    }
  }
  return fallback;
}

inline bool boolField(const nlohmann::json& object, std::string_view key, bool fallback) {
  if (object.is_object()) {
    const auto found = object.find(key);
    if (found != object.end() && found->is_boolean()) {
      return found->get<bool>();
    }
  }
  return fallback;
}

// The member if it is an object, else an empty object.
inline nlohmann::json objectField(const nlohmann::json& object, std::string_view key) {
  if (object.is_object()) {
    const auto found = object.find(key);
    if (found != object.end() && found->is_object()) {
      return *found;
    }
  }
  return nlohmann::json::object();
}

inline std::string stringAt(const nlohmann::json& value,
                            const nlohmann::json::json_pointer& pointer,
                            std::string fallback = {}) {
  if (value.is_object() && value.contains(pointer)) {
    const auto& found = value.at(pointer);
    if (found.is_string()) {
      return found.get<std::string>();
    }
  }
  return fallback;
}

} // namespace harborrobot

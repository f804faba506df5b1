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

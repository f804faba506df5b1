// Optional RFC 3339 times in status JSON, shared by the binding's and the
// credential records' status (private to the reconcile sources).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::reconcile::detail {

inline void putTime(nlohmann::json& json, const char* key, const std::optional<TimePoint>& value) {
  if (value) {
    json[key] = formatRfc3339(*value);
  }
}

// Absent or unparsable: no time (the status is only ever a summary of facts the
// hub can gather again).
inline std::optional<TimePoint> timeField(const nlohmann::json& json, std::string_view key) {
  const std::string text = stringField(json, key);
  if (text.empty()) {
    return std::nullopt;
  }
  auto parsed = parseRfc3339(text, key);
  return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

} // namespace harborrobot::reconcile::detail

// Marker text: fixed key order, values without separators, strict parsing.
#include "harborrobot/rotation/marker.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace harborrobot::rotation {

namespace {

bool safeValue(std::string_view value) {
  return !value.empty() && value.find_first_of("; =\n\r\t") == std::string_view::npos;
}

} // namespace

std::string formatMarker(const OwnershipMarker& marker) {
  return fmt::format("{} cluster={}; binding={}/{}; namespace={}; generation={}; rotation={}",
                     kMarkerPrefix, marker.clusterId, marker.bindingName, marker.bindingUid,
                     marker.ns, marker.generation, marker.rotationId);
}

std::optional<OwnershipMarker> parseMarker(std::string_view description) {
  if (!description.starts_with(kMarkerPrefix)) {
    return std::nullopt;
  }
  std::string_view rest = description.substr(kMarkerPrefix.size());
  static constexpr std::string_view kKeys[] = {"cluster", "binding", "namespace", "generation",
                                               "rotation"};
  std::vector<std::string_view> values;
  for (const std::string_view key : kKeys) {
    if (!rest.starts_with(" ")) {
      return std::nullopt;
    }
    rest.remove_prefix(1);
    if (!rest.starts_with(key) || rest.substr(key.size(), 1) != "=") {
      return std::nullopt;
    }
    rest.remove_prefix(key.size() + 1);
    const auto end = rest.find(';');
    const std::string_view value = rest.substr(0, end);
    values.push_back(value);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    // Every key but the last is followed by ';'; the last by nothing at all.
    if ((key != "rotation") == (end == std::string_view::npos)) {
      return std::nullopt;
    }
  }
  if (!rest.empty()) {
    return std::nullopt;
  }
  OwnershipMarker marker;
  marker.clusterId = values[0];
  const auto slash = values[1].find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  marker.bindingName = values[1].substr(0, slash);
  marker.bindingUid = values[1].substr(slash + 1);
  marker.ns = values[2];
  const auto [end, error] =
      std::from_chars(values[3].data(), values[3].data() + values[3].size(), marker.generation);
  if (error != std::errc() || end != values[3].data() + values[3].size() || marker.generation < 1) {
    return std::nullopt;
  }
  marker.rotationId = values[4];
  for (const std::string& value :
       {marker.clusterId, marker.bindingName, marker.bindingUid, marker.ns, marker.rotationId}) {
    if (!safeValue(value) || value.find('/') != std::string::npos) {
      return std::nullopt;
    }
  }
  return marker;
}

} // namespace harborrobot::rotation

// What the hub concluded about a connection Secret: it records one Event per
// check on the Secret (ConnectionVerified, or the reason it is unusable).
// `connect` and `doctor` read the newest, so they report what the cluster
// itself sees, not what the admin's laptop can reach.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace harborrobot::cli {

struct ConnectionVerdict {
  bool verified = false;
  std::string reason{};  // ConnectionVerified, HarborUnreachable, …
  std::string message{}; // the hub's explanation (never a secret)
  std::string time{};    // RFC 3339 of the newest check; empty for a check from here
};

// When an Event happened: lastTimestamp, else eventTime, else firstTimestamp
// (core/v1 Events fill one or another depending on who wrote them).
std::string eventTime(const nlohmann::json& event);

// The newest verdict among `eventList` (a v1 EventList of the Secret's
// Events) at or after `notBefore` (RFC 3339; empty: any).
std::optional<ConnectionVerdict> newestVerdict(const nlohmann::json& eventList,
                                               std::string_view notBefore);

} // namespace harborrobot::cli

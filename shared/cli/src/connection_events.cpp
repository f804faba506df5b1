#include "harborrobot/cli/connection_events.h"

#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

std::string eventTime(const nlohmann::json& event) {
  for (const char* field : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
    if (std::string time = stringField(event, field); !time.empty()) {
      return time;
    }
  }
  return {};
}

std::optional<ConnectionVerdict> newestVerdict(const nlohmann::json& eventList,
                                               std::string_view notBefore) {
  std::optional<ConnectionVerdict> newest;
  for (const auto& event : eventList.value("items", nlohmann::json::array())) {
    const std::string time = eventTime(event);
    // RFC 3339 in UTC with the same precision compares correctly as text.
    if (time < notBefore || (newest && time < newest->time)) {
      continue;
    }
    ConnectionVerdict verdict;
    verdict.reason = stringField(event, "reason");
    verdict.verified = verdict.reason == registry::ConnectionVerdict::kConnectionVerified;
    verdict.message = stringField(event, "message");
    verdict.time = time;
    newest = std::move(verdict);
  }
  return newest;
}

} // namespace harborrobot::cli

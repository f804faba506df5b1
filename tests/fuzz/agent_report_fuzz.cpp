// Fuzzes an agent's status report on its way into the binding status: parsed,
// capped and redacted (hub_api_limits.h), folded into a namespace's record and
// written as the status JSON. No crash; the caps hold; a password in lastError
// never reaches the status.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/hub_api_limits.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/util/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harborrobot::reconcile;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return 0;
  }
  auto report = parseAgentReport(json);
  if (!report) {
    return 0;
  }
  HubApiLimits limits;
  capReport(*report, limits);
  if (report->bindings.size() > limits.maxReportBindings ||
      report->agentVersion.size() > limits.maxReportWord) {
    std::abort();
  }
  for (const auto& entry : report->bindings) {
    if (entry.lastError.size() > limits.maxReportText ||
        entry.reason.size() > limits.maxReportWord ||
        entry.lastError.find("password=Pa55w0rdFuzz") != std::string::npos) {
      std::abort();
    }
    CredentialRecord record{"binding", "uid", NamespaceStatus{.name = "team"}};
    applyReport(record.state, entry, TimePoint{});
    const std::string written = harborrobot::jsonText(toObject(record));
    if (!parseCredentialRecord(nlohmann::json::parse(written, nullptr, false))) {
      std::abort(); // what the hub writes, it reads back
    }
  }
  return 0;
}

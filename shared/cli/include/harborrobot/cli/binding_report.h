// What `kubectl harborrobot status` shows, built from what it read: one
// binding in depth (conditions, each namespace with its Secret and
// ServiceAccount, recent events), or a summary row per binding. -o json|yaml
// prints these same objects; the text form is rendered from them, so the two
// never disagree. Secret data is never part of them: only metadata and type.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/credential_record.h"

namespace harborrobot::cli {

// The Ready condition as the table and the report show it: Unknown until the
// hub has written one.
struct Readiness {
  std::string status = "Unknown";
  std::string reason{};
  std::string message{};
};
Readiness readinessOf(const reconcile::BindingStatus& status);

// Objects of one name across namespaces, by namespace (one LIST), or why they
// could not be read.
using ObjectsByNamespace = Result<std::map<std::string, nlohmann::json>>;

// The binding's generated Secret and ServiceAccount in `ns`, as the cluster
// has them (metadata only): exists, type, generation, rotatedAt; attached.
nlohmann::json namespaceObjects(const std::string& ns, const nlohmann::json& spec,
                                const ObjectsByNamespace& secrets,
                                const ObjectsByNamespace& accounts);

// The newest `most` Events of a v1 EventList, oldest first, as the report
// carries them.
nlohmann::json recentEvents(const nlohmann::json& eventList, std::size_t most = 10);

struct BindingReadings {
  nlohmann::json binding{};                           // as read, with .status
  std::vector<reconcile::CredentialRecord> records{}; // its namespaces' records
  ObjectsByNamespace secrets{};                       // its generated Secrets
  ObjectsByNamespace accounts{};                      // its ServiceAccounts (empty: none named)
  nlohmann::json events = nlohmann::json::array();    // recentEvents
};
nlohmann::json bindingReport(const BindingReadings& readings);

// The report as text. `paint(text, ansi)` colours the Ready value (or not).
using Painter = std::function<std::string(std::string_view text, std::string_view ansi)>;
std::string formatBindingReport(const nlohmann::json& report, const Painter& paint);

// Every binding on one line: the table's row and the -o json|yaml entry.
inline const std::vector<std::string> kSummaryHeaders = {
    "NAME", "READY", "NAMESPACES", "PROJECT", "LAST REFRESH", "NEXT REFRESH", "REASON", "AGE"};
struct BindingSummary {
  std::vector<std::string> row;
  nlohmann::json entry;
};
BindingSummary summarizeBinding(const nlohmann::json& binding);

} // namespace harborrobot::cli

// A HarborRobotCredential: one binding's state in one target namespace (the
// robot, the active generation, the times, the alias, the last error), kept in
// that namespace rather than in the binding so that the binding's size never
// depends on how many namespaces it targets.
//
// The hub writes these records from what it verified (an activation only of a
// generation it issued) and reads them back to plan robot deletions, so they
// carry no spec: nothing a user writes there can steer the hub.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::reconcile {

inline constexpr std::string_view kCredentialKind = "HarborRobotCredential";
// The owning binding's UID: a record left by an earlier binding of the same
// name is never read as this one's.
using wire::kBindingUidLabel;
using wire::kManagedByLabel;
using wire::kManagedByValue;

// One binding's state in one namespace.
struct NamespaceStatus {
  std::string name{}; // the namespace (the record's metadata.namespace)
  bool ready = false;
  std::string robotName{};
  std::int64_t secretGeneration = 0; // the active generation
  std::optional<TimePoint> activeSince{};
  std::optional<TimePoint> lastRefreshTime{};
  std::optional<TimePoint> nextRefreshTime{};
  std::optional<TimePoint> lastReportTime{};
  std::optional<TimePoint> credentialVerifiedAt{};
  std::string harbor{}; // the registry URL the credential is for
  bool aliasActive = false;
  std::string reason{};
  std::string lastError{};
  bool operator==(const NamespaceStatus&) const = default;
};

struct CredentialRecord {
  std::string binding{};    // the binding's name, also the record's name
  std::string bindingUid{}; // from the label
  NamespaceStatus state{};
};

// The whole object, as created and updated: the name and namespace, the labels,
// an owner reference to the binding (the garbage collector removes the records
// of a deleted binding) and the status.
nlohmann::json toObject(const CredentialRecord& record);
// The status stanza alone.
nlohmann::json toJson(const NamespaceStatus& state, std::string_view binding);
// Lenient like the binding status: a field someone broke by hand is dropped,
// never the record. An error only when the object is not a record at all (no
// name, namespace or binding UID label).
[[nodiscard]] Result<CredentialRecord> parseCredentialRecord(const nlohmann::json& object);

// An agent's report folded into its namespace's state.
void applyReport(NamespaceStatus& state, const NamespaceReport& report, TimePoint now);

} // namespace harborrobot::reconcile

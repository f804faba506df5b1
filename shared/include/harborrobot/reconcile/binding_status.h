// A HarborRobotBinding's status: what the hub writes and the plugin's `status`
// and `doctor` read. Pure: the hub gathers the facts (targets, connection and
// project problems, the agents' reports) and `summarize` decides the Ready
// condition and the times the Generator documentation's printer columns show.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::reconcile {

struct Condition {
  std::string type{};
  std::string status{}; // "True", "False", "Unknown"
  std::string reason{};
  std::string message{};
  std::int64_t observedGeneration = 0;
  std::optional<TimePoint> lastTransitionTime{};
  bool operator==(const Condition&) const = default;
};

// One target namespace, as the hub records it.
struct NamespaceStatus {
  std::string name{};
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

// The binding's spec as it last parsed, kept by the hub in the status (which
// only the hub writes, survives its restarts and goes with the binding): an
// invalid edit freezes the binding at this spec instead of removing anything.
struct LastValidSpec {
  std::int64_t generation = 0; // metadata.generation of that spec
  nlohmann::json spec = nlohmann::json::object();
  bool operator==(const LastValidSpec&) const = default;
};

struct BindingStatus {
  std::int64_t observedGeneration = 0;
  std::optional<TimePoint> lastRefreshTime{};
  std::optional<TimePoint> nextRefreshTime{};
  std::vector<Condition> conditions{};
  std::vector<NamespaceStatus> namespaces{}; // sorted by name
  std::optional<LastValidSpec> lastValidSpec{};
  bool operator==(const BindingStatus&) const = default;

  const NamespaceStatus* find(std::string_view ns) const;
  const Condition* condition(std::string_view type) const;
};

nlohmann::json toJson(const BindingStatus& status);
// Lenient: a status someone edited by hand loses the fields it broke, never the
// whole record (it only feeds the next summary).
BindingStatus parseBindingStatus(const nlohmann::json& status);

// Why a binding cannot be served at all; empty when it can.
struct BindingProblem {
  std::string reason{}; // CamelCase, e.g. ConnectionNotFound
  std::string message{};
};

struct SummaryInputs {
  std::int64_t generation = 0;        // metadata.generation
  std::vector<std::string> targets{}; // target namespaces, sorted
  std::optional<BindingProblem> problem{};
  std::string registryUrl{};
  // Protected namespaces the spec selects (see targets.h): named by a
  // NamespacesExcluded condition, and Ready's reason when nothing else is left.
  std::vector<std::string> excluded{};
  // The spec, when it parsed: recorded as the last valid spec. Empty (an
  // invalid spec) keeps the one recorded before.
  std::optional<LastValidSpec> validSpec{};
};

// Set, with reason ProtectedNamespace, while the spec selects protected namespaces.
inline constexpr std::string_view kNamespacesExcludedCondition = "NamespacesExcluded";

// The new status: namespaces no longer targeted drop out, new ones appear not
// ready ("AgentNotReported"), Ready is True only when every target is ready (and
// there is at least one), lastTransitionTime moves only when Ready's status does.
BindingStatus summarize(const SummaryInputs& inputs, const BindingStatus& previous, TimePoint now);

// An agent's report folded into the record of its namespace.
void applyReport(NamespaceStatus& entry, const NamespaceReport& report, TimePoint now);

} // namespace harborrobot::reconcile

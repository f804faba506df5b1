// A HarborRobotBinding's status: what the hub writes and the plugin's `status`
// and `doctor` read. Pure: the hub gathers the facts (targets, connection and
// project problems, each namespace's credential record) and `summarize` decides
// the Ready condition and the times the Generator documentation's printer
// columns show. Its size never depends on the number of namespaces: counts and
// a few not-ready names, the rest lives in the namespaces' records.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/reconcile/credential_record.h"
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

// The binding's spec as it last parsed, kept by the hub in the status (which
// only the hub writes, survives its restarts and goes with the binding): an
// invalid edit freezes the binding at this spec instead of removing anything.
struct LastValidSpec {
  std::int64_t generation = 0; // metadata.generation of that spec
  nlohmann::json spec = nlohmann::json::object();
  bool operator==(const LastValidSpec&) const = default;
};

struct NotReadyNamespace {
  std::string name{};
  std::string reason{};
  bool operator==(const NotReadyNamespace&) const = default;
};

// How many not-ready namespaces the status names (the rest are counted).
inline constexpr std::size_t kNotReadyNamed = 5;

struct BindingStatus {
  std::int64_t observedGeneration = 0;
  std::optional<TimePoint> lastRefreshTime{};
  std::optional<TimePoint> nextRefreshTime{};
  std::vector<Condition> conditions{};
  std::int64_t targetNamespaces = 0;
  std::int64_t readyNamespaces = 0;
  std::vector<NotReadyNamespace> notReadyNamespaces{}; // the first kNotReadyNamed, by name
  std::optional<LastValidSpec> lastValidSpec{};
  // Read, never written: release 0.1 kept each namespace's state here. The hub
  // moves it into the namespaces' records before its first status write drops it.
  std::vector<NamespaceStatus> legacyNamespaces{};
  bool operator==(const BindingStatus&) const = default;

  const Condition* condition(std::string_view type) const;
};

nlohmann::json toJson(const BindingStatus& status);
// One entry of status.conditions, as toJson(BindingStatus) writes it.
nlohmann::json toJson(const Condition& condition);
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

// A target namespace's record, or null when it has none yet.
using RecordLookup = std::function<const NamespaceStatus*(std::string_view ns)>;

// The new status: a target without a record counts as not ready
// ("AgentNotReported"), Ready is True only when every target is ready (and there
// is at least one), lastTransitionTime moves only when Ready's status does.
BindingStatus summarize(const SummaryInputs& inputs, const RecordLookup& records,
                        const BindingStatus& previous, TimePoint now);

} // namespace harborrobot::reconcile

// Binding status: JSON both ways and the Ready summary.
#include "harborrobot/reconcile/binding_status.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/observability/redact.h"
#include "harborrobot/reconcile/targets.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"
#include "status_times.h"

namespace harborrobot::reconcile {

namespace {

using Json = nlohmann::json;
using detail::putTime;
using detail::timeField;

template <class T> void earliest(std::optional<T>& into, const std::optional<T>& value) {
  if (value && (!into || *value < *into)) {
    into = value;
  }
}

template <class T> void latest(std::optional<T>& into, const std::optional<T>& value) {
  if (value && (!into || *value > *into)) {
    into = value;
  }
}

} // namespace

const Condition* BindingStatus::condition(std::string_view type) const {
  const auto found = std::find_if(conditions.begin(), conditions.end(),
                                  [&](const Condition& entry) { return entry.type == type; });
  return found == conditions.end() ? nullptr : &*found;
}

Json toJson(const Condition& condition) {
  Json entry = {{"type", condition.type},
                {"status", condition.status},
                {"reason", condition.reason},
                {"message", condition.message},
                {"observedGeneration", condition.observedGeneration}};
  putTime(entry, "lastTransitionTime", condition.lastTransitionTime);
  return entry;
}

Json toJson(const BindingStatus& status) {
  Json conditions = Json::array();
  for (const auto& condition : status.conditions) {
    conditions.push_back(toJson(condition));
  }
  Json notReady = Json::array();
  for (const auto& entry : status.notReadyNamespaces) {
    notReady.push_back({{"name", entry.name}, {"reason", entry.reason}});
  }
  Json json = {{"observedGeneration", status.observedGeneration},
               {"conditions", conditions},
               {"targetNamespaces", status.targetNamespaces},
               {"readyNamespaces", status.readyNamespaces},
               {"notReadyNamespaces", notReady}};
  putTime(json, "lastRefreshTime", status.lastRefreshTime);
  putTime(json, "nextRefreshTime", status.nextRefreshTime);
  if (status.lastValidSpec) {
    json["lastValidSpec"] = {{"generation", status.lastValidSpec->generation},
                             {"spec", status.lastValidSpec->spec}};
  }
  return json;
}

BindingStatus parseBindingStatus(const Json& status) {
  BindingStatus parsed;
  if (!status.is_object()) {
    return parsed;
  }
  parsed.observedGeneration = intField(status, "observedGeneration", 0);
  parsed.lastRefreshTime = timeField(status, "lastRefreshTime");
  parsed.nextRefreshTime = timeField(status, "nextRefreshTime");
  if (const auto found = status.find("conditions"); found != status.end() && found->is_array()) {
    for (const auto& entry : *found) {
      Condition condition;
      condition.type = stringField(entry, "type");
      condition.status = stringField(entry, "status");
      condition.reason = stringField(entry, "reason");
      condition.message = stringField(entry, "message");
      condition.observedGeneration = intField(entry, "observedGeneration", 0);
      condition.lastTransitionTime = timeField(entry, "lastTransitionTime");
      if (!condition.type.empty()) {
        parsed.conditions.push_back(std::move(condition));
      }
    }
  }
  parsed.targetNamespaces = intField(status, "targetNamespaces", 0);
  parsed.readyNamespaces = intField(status, "readyNamespaces", 0);
  if (const auto found = status.find("notReadyNamespaces");
      found != status.end() && found->is_array()) {
    for (const auto& entry : *found) {
      NotReadyNamespace ns{stringField(entry, "name"), stringField(entry, "reason")};
      if (!ns.name.empty() && parsed.notReadyNamespaces.size() < kNotReadyNamed) {
        parsed.notReadyNamespaces.push_back(std::move(ns));
      }
    }
  }
  if (const auto found = status.find("namespaces"); found != status.end() && found->is_array()) {
    for (const auto& entry : *found) {
      // The same fields the records have, under the same names.
      auto legacy = parseCredentialRecord({{"metadata",
                                            {{"name", "legacy"},
                                             {"namespace", stringField(entry, "name")},
                                             {"labels", {{kBindingUidLabel, "legacy"}}}}},
                                           {"status", entry}});
      if (legacy) {
        parsed.legacyNamespaces.push_back(std::move(legacy->state));
      }
    }
  }
  if (const auto found = status.find("lastValidSpec");
      found != status.end() && found->is_object() && found->contains("spec") &&
      found->at("spec").is_object()) {
    parsed.lastValidSpec = LastValidSpec{intField(*found, "generation", 0), found->at("spec")};
  }
  return parsed;
}

BindingStatus summarize(const SummaryInputs& inputs, const RecordLookup& records,
                        const BindingStatus& previous, TimePoint now) {
  BindingStatus next;
  next.observedGeneration = inputs.generation;
  next.lastValidSpec = inputs.validSpec ? inputs.validSpec : previous.lastValidSpec;
  next.targetNamespaces = static_cast<std::int64_t>(inputs.targets.size());
  std::string named;                        // the not-ready namespaces the message names
  for (const auto& name : inputs.targets) { // sorted
    const NamespaceStatus* record = records(name);
    if (record != nullptr) {
      latest(next.lastRefreshTime, record->lastRefreshTime);
      earliest(next.nextRefreshTime, record->nextRefreshTime);
    }
    if (record != nullptr && record->ready) {
      ++next.readyNamespaces;
      continue;
    }
    const std::string reason = record == nullptr
                                   ? "AgentNotReported"
                                   : (record->reason.empty() ? "NotReady" : record->reason);
    if (next.notReadyNamespaces.size() < kNotReadyNamed) {
      named += fmt::format("{}{} ({})", named.empty() ? "" : ", ", name, reason);
      next.notReadyNamespaces.push_back({name, reason});
    }
  }

  Condition ready{.type = "Ready", .observedGeneration = inputs.generation};
  const auto notReady = next.targetNamespaces - next.readyNamespaces;
  if (inputs.problem) {
    ready.status = "False";
    ready.reason = inputs.problem->reason;
    ready.message = redactSecrets(inputs.problem->message); // Harbor's text, often
  } else if (inputs.targets.empty() && !inputs.excluded.empty()) {
    ready.status = "False";
    ready.reason = kProtectedNamespaceReason;
    ready.message = protectedNamespacesMessage(inputs.excluded);
  } else if (inputs.targets.empty()) {
    ready.status = "False";
    ready.reason = "NoTargetNamespaces";
    ready.message = "no existing namespace matches spec.namespaces";
  } else if (notReady > 0) {
    ready.status = "False";
    ready.reason = "NamespacesNotReady";
    const auto unnamed = notReady - static_cast<std::int64_t>(next.notReadyNamespaces.size());
    ready.message =
        fmt::format("{} of {} namespaces not ready: {}{}", notReady, next.targetNamespaces, named,
                    unnamed > 0 ? fmt::format(" and {} more", unnamed) : "");
  } else {
    ready.status = "True";
    ready.reason = "AllNamespacesReady";
    ready.message = fmt::format("credentials are current in {} namespace{}", next.targetNamespaces,
                                next.targetNamespaces == 1 ? "" : "s");
  }
  const Condition* before = previous.condition("Ready");
  ready.lastTransitionTime =
      before != nullptr && before->status == ready.status && before->lastTransitionTime
          ? before->lastTransitionTime
          : std::optional<TimePoint>(now);
  next.conditions.push_back(std::move(ready));
  if (!inputs.excluded.empty()) {
    Condition excluded{.type = std::string(kNamespacesExcludedCondition),
                       .status = "True",
                       .reason = std::string(kProtectedNamespaceReason),
                       .message = protectedNamespacesMessage(inputs.excluded),
                       .observedGeneration = inputs.generation};
    const Condition* known = previous.condition(kNamespacesExcludedCondition);
    excluded.lastTransitionTime =
        known != nullptr && known->status == excluded.status && known->lastTransitionTime
            ? known->lastTransitionTime
            : std::optional<TimePoint>(now);
    next.conditions.push_back(std::move(excluded));
  }
  return next;
}

} // namespace harborrobot::reconcile

// Binding status: JSON both ways and the Ready summary.
#include "harborrobot/reconcile/binding_status.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/observability/redact.h"
#include "harborrobot/reconcile/targets.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::reconcile {

namespace {

using Json = nlohmann::json;

void putTime(Json& json, const char* key, const std::optional<TimePoint>& value) {
  if (value) {
    json[key] = formatRfc3339(*value);
  }
}

std::optional<TimePoint> timeField(const Json& json, std::string_view key) {
  const std::string text = stringField(json, key);
  if (text.empty()) {
    return std::nullopt;
  }
  auto parsed = parseRfc3339(text, key);
  return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

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

const NamespaceStatus* BindingStatus::find(std::string_view ns) const {
  const auto found = std::find_if(namespaces.begin(), namespaces.end(),
                                  [&](const NamespaceStatus& entry) { return entry.name == ns; });
  return found == namespaces.end() ? nullptr : &*found;
}

const Condition* BindingStatus::condition(std::string_view type) const {
  const auto found = std::find_if(conditions.begin(), conditions.end(),
                                  [&](const Condition& entry) { return entry.type == type; });
  return found == conditions.end() ? nullptr : &*found;
}

Json toJson(const BindingStatus& status) {
  Json conditions = Json::array();
  for (const auto& condition : status.conditions) {
    Json entry = {{"type", condition.type},
                  {"status", condition.status},
                  {"reason", condition.reason},
                  {"message", condition.message},
                  {"observedGeneration", condition.observedGeneration}};
    putTime(entry, "lastTransitionTime", condition.lastTransitionTime);
    conditions.push_back(std::move(entry));
  }
  Json namespaces = Json::array();
  for (const auto& ns : status.namespaces) {
    Json entry = {{"name", ns.name},           {"ready", ns.ready},
                  {"robotName", ns.robotName}, {"secretGeneration", ns.secretGeneration},
                  {"harbor", ns.harbor},       {"aliasActive", ns.aliasActive}};
    putTime(entry, "activeSince", ns.activeSince);
    putTime(entry, "lastRefreshTime", ns.lastRefreshTime);
    putTime(entry, "nextRefreshTime", ns.nextRefreshTime);
    putTime(entry, "lastReportTime", ns.lastReportTime);
    putTime(entry, "credentialVerifiedAt", ns.credentialVerifiedAt);
    if (!ns.reason.empty()) {
      entry["reason"] = ns.reason;
    }
    if (!ns.lastError.empty()) {
      entry["lastError"] = ns.lastError;
    }
    namespaces.push_back(std::move(entry));
  }
  Json json = {{"observedGeneration", status.observedGeneration},
               {"conditions", conditions},
               {"namespaces", namespaces}};
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
  if (const auto found = status.find("namespaces"); found != status.end() && found->is_array()) {
    for (const auto& entry : *found) {
      NamespaceStatus ns;
      ns.name = stringField(entry, "name");
      if (ns.name.empty()) {
        continue;
      }
      ns.ready = boolField(entry, "ready", false);
      ns.robotName = stringField(entry, "robotName");
      ns.secretGeneration = intField(entry, "secretGeneration", 0);
      ns.activeSince = timeField(entry, "activeSince");
      ns.lastRefreshTime = timeField(entry, "lastRefreshTime");
      ns.nextRefreshTime = timeField(entry, "nextRefreshTime");
      ns.lastReportTime = timeField(entry, "lastReportTime");
      ns.credentialVerifiedAt = timeField(entry, "credentialVerifiedAt");
      ns.harbor = stringField(entry, "harbor");
      ns.aliasActive = boolField(entry, "aliasActive", false);
      ns.reason = stringField(entry, "reason");
      ns.lastError = stringField(entry, "lastError");
      parsed.namespaces.push_back(std::move(ns));
    }
  }
  std::sort(parsed.namespaces.begin(), parsed.namespaces.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  if (const auto found = status.find("lastValidSpec");
      found != status.end() && found->is_object() && found->contains("spec") &&
      found->at("spec").is_object()) {
    parsed.lastValidSpec = LastValidSpec{intField(*found, "generation", 0), found->at("spec")};
  }
  return parsed;
}

void applyReport(NamespaceStatus& entry, const NamespaceReport& report, TimePoint now) {
  entry.ready = report.ready;
  entry.robotName = report.robotName;
  entry.lastRefreshTime = report.lastRefreshTime;
  entry.nextRefreshTime = report.nextRefreshTime;
  entry.aliasActive = report.aliasActive;
  entry.credentialVerifiedAt = report.credentialVerifiedAt;
  entry.reason = report.ready ? "" : report.reason;
  entry.lastError = redactSecrets(report.lastError);
  entry.lastReportTime = now;
}

BindingStatus summarize(const SummaryInputs& inputs, const BindingStatus& previous, TimePoint now) {
  BindingStatus next;
  next.observedGeneration = inputs.generation;
  next.lastValidSpec = inputs.validSpec ? inputs.validSpec : previous.lastValidSpec;
  for (const auto& name : inputs.targets) {
    NamespaceStatus entry;
    if (const auto* known = previous.find(name)) {
      entry = *known;
    } else {
      entry.name = name;
      entry.reason = "AgentNotReported";
    }
    entry.harbor = inputs.registryUrl;
    latest(next.lastRefreshTime, entry.lastRefreshTime);
    earliest(next.nextRefreshTime, entry.nextRefreshTime);
    next.namespaces.push_back(std::move(entry));
  }
  std::sort(next.namespaces.begin(), next.namespaces.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });

  Condition ready{.type = "Ready", .observedGeneration = inputs.generation};
  const auto notReady = std::count_if(next.namespaces.begin(), next.namespaces.end(),
                                      [](const NamespaceStatus& entry) { return !entry.ready; });
  if (inputs.problem) {
    ready.status = "False";
    ready.reason = inputs.problem->reason;
    ready.message = redactSecrets(inputs.problem->message); // Harbor's text, often
  } else if (next.namespaces.empty() && !inputs.excluded.empty()) {
    ready.status = "False";
    ready.reason = kProtectedNamespaceReason;
    ready.message = protectedNamespacesMessage(inputs.excluded);
  } else if (next.namespaces.empty()) {
    ready.status = "False";
    ready.reason = "NoTargetNamespaces";
    ready.message = "no existing namespace matches spec.namespaces";
  } else if (notReady > 0) {
    ready.status = "False";
    ready.reason = "NamespacesNotReady";
    std::string names;
    for (const auto& entry : next.namespaces) {
      if (!entry.ready) {
        names += (names.empty() ? "" : ", ") + entry.name +
                 (entry.reason.empty() ? "" : " (" + entry.reason + ")");
      }
    }
    ready.message =
        fmt::format("{} of {} namespaces not ready: {}", notReady, next.namespaces.size(), names);
  } else {
    ready.status = "True";
    ready.reason = "AllNamespacesReady";
    ready.message = fmt::format("credentials are current in {} namespace{}", next.namespaces.size(),
                                next.namespaces.size() == 1 ? "" : "s");
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

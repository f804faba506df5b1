// events.k8s.io/v1 Events are the core/v1 Events of storage seen through a
// second group-version, converted at the edge of the API as the apiserver's
// scheme converts them to and from the internal core.Event.
#include "event_conversion.h"

#include <array>
#include <utility>

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

// {events.k8s.io/v1 field, core/v1 field}. kubernetes
// pkg/apis/events/v1/conversion.go (Convert_v1_Event_To_core_Event,
// Convert_core_Event_To_v1_Event): regarding is involvedObject,
// deprecatedSource is source, note is message, deprecatedFirstTimestamp,
// deprecatedLastTimestamp and deprecatedCount are firstTimestamp,
// lastTimestamp and count; the generated conversion copies the rest by name
// (internal ReportingController is core/v1's "reportingComponent" and
// events.k8s.io/v1's "reportingController", staging/src/k8s.io/api/events/v1/types.go).
constexpr std::array<std::pair<const char*, const char*>, 14> kFieldPairs = {{
    {"eventTime", "eventTime"},
    {"series", "series"},
    {"reportingController", "reportingComponent"},
    {"reportingInstance", "reportingInstance"},
    {"action", "action"},
    {"reason", "reason"},
    {"regarding", "involvedObject"},
    {"related", "related"},
    {"note", "message"},
    {"type", "type"},
    {"deprecatedSource", "source"},
    {"deprecatedFirstTimestamp", "firstTimestamp"},
    {"deprecatedLastTimestamp", "lastTimestamp"},
    {"deprecatedCount", "count"},
}};

bool isStoredCoreEvent(const json& object) {
  return object.is_object() && object.value("kind", "") == "Event" &&
         object.value("apiVersion", "") == "v1";
}

bool emptyValue(const json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_number() && value == 0);
}

} // namespace

bool isEventsV1(const ResourceType& type) {
  return type.group == "events.k8s.io" && type.plural == "events";
}

ResourceType eventsV1Type() {
  // Discovery of a v1.32 apiserver: events.k8s.io/v1 "events", namespaced,
  // kind Event, short name ev, every verb; stored as core/v1 events (kubernetes
  // pkg/registry/events/rest/storage_events.go serves it from core's event REST).
  ResourceType type;
  type.group = "events.k8s.io";
  type.version = "v1";
  type.plural = "events";
  type.singular = "event";
  type.kind = "Event";
  type.namespaced = true;
  type.shortNames = {"ev"};
  type.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  for (const auto& label : eventsV1FieldLabels()) {
    if (!label.starts_with("metadata."))
      type.selectableFields.push_back(label);
  }
  type.isView = true;
  type.storageGroup = "";
  type.storageVersion = "v1";
  return type;
}

json coreEventToEventsV1(const json& core) {
  json event = {{"kind", "Event"}, {"apiVersion", "events.k8s.io/v1"}};
  event["metadata"] = core.value("metadata", json::object());
  for (const auto& [external, stored] : kFieldPairs) {
    if (core.contains(stored) && !emptyValue(core[stored]))
      event[external] = core[stored];
  }
  // encoding/json of staging/src/k8s.io/api/events/v1/types.go: eventTime has
  // no omitempty and struct fields are never omitted, so eventTime,
  // deprecatedFirstTimestamp and deprecatedLastTimestamp read null and
  // regarding and deprecatedSource {} when unset; strings, deprecatedCount,
  // series and related (omitempty, pointers) are left out.
  for (const char* field : {"eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"}) {
    if (!event.contains(field))
      event[field] = nullptr;
  }
  for (const char* field : {"regarding", "deprecatedSource"}) {
    if (!event.contains(field))
      event[field] = json::object();
  }
  return event;
}

json eventsV1ToCoreEvent(const json& event) {
  json core = {{"kind", "Event"}, {"apiVersion", "v1"}};
  core["metadata"] = event.value("metadata", json::object());
  for (const auto& [external, stored] : kFieldPairs) {
    if (event.contains(external) && !event[external].is_null())
      core[stored] = event[external];
  }
  return core;
}

json presentEventsV1(json body) {
  if (!body.is_object())
    return body;
  if (isStoredCoreEvent(body))
    return coreEventToEventsV1(body);
  const std::string kind = body.value("kind", "");
  if (kind == "EventList" && body.contains("items") && body["items"].is_array()) {
    for (auto& item : body["items"]) {
      if (isStoredCoreEvent(item))
        item = coreEventToEventsV1(item);
    }
  } else if (kind == "Table" && body.contains("rows") && body["rows"].is_array()) {
    for (auto& row : body["rows"]) {
      if (row.is_object() && row.contains("object") && isStoredCoreEvent(row["object"]))
        row["object"] = coreEventToEventsV1(row["object"]);
    }
  }
  return body;
}

const std::set<std::string>& eventsV1Fields() {
  static const std::set<std::string> fields = [] {
    std::set<std::string> names;
    for (const auto& [external, stored] : kFieldPairs)
      names.insert(external);
    return names;
  }();
  return fields;
}

namespace {

// kubernetes pkg/apis/events/v1/conversion.go AddFieldLabelConversionsForEvent:
// the labels events.k8s.io/v1 accepts and the core field set
// (pkg/registry/core/event/strategy.go ToSelectableFields) each maps to.
constexpr std::array<std::pair<const char*, const char*>, 13> kFieldLabels = {{
    {"reason", "reason"},
    {"regarding.kind", "involvedObject.kind"},
    {"regarding.namespace", "involvedObject.namespace"},
    {"regarding.name", "involvedObject.name"},
    {"regarding.uid", "involvedObject.uid"},
    {"regarding.apiVersion", "involvedObject.apiVersion"},
    {"regarding.resourceVersion", "involvedObject.resourceVersion"},
    {"regarding.fieldPath", "involvedObject.fieldPath"},
    {"reportingController", "reportingComponent"},
    {"source", "source"},
    {"type", "type"},
    {"metadata.namespace", "metadata.namespace"},
    {"metadata.name", "metadata.name"},
}};

} // namespace

std::vector<std::string> eventsV1FieldLabels() {
  std::vector<std::string> labels;
  for (const auto& [external, stored] : kFieldLabels)
    labels.emplace_back(external);
  return labels;
}

std::string eventsV1FieldLabelToCore(const std::string& label) {
  for (const auto& [external, stored] : kFieldLabels) {
    if (label == external)
      return stored;
  }
  return label;
}

} // namespace harborrobot::kubesim

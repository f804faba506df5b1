// kubernetes pkg/apis/core/validation/events.go: ValidateEventCreate and
// ValidateEventUpdate for a request version other than core/v1 and
// events.k8s.io/v1beta1, i.e. events.k8s.io/v1 here. Both run
// legacyValidateEvent, then the strict rules of the newer API.
#include "event_validation.h"

#include <fmt/format.h>

#include "validation.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

// Limits of pkg/apis/core/validation/events.go.
constexpr std::size_t kReportingInstanceLengthLimit = 128;
constexpr std::size_t kActionLengthLimit = 128;
constexpr std::size_t kReasonLengthLimit = 128;
constexpr std::size_t kNoteLengthLimit = 1024;

// A field as the internal Go struct holds it: null when it is the zero value
// (absent, null, "", 0 or an empty object).
json fieldValue(const json& event, const char* field) {
  if (!event.contains(field))
    return nullptr;
  const json& value = event[field];
  if ((value.is_string() && value.get_ref<const std::string&>().empty()) ||
      (value.is_number() && value == 0) || (value.is_object() && value.empty()))
    return nullptr;
  return value;
}

std::string stringField(const json& event, const char* field) {
  const json value = fieldValue(event, field);
  return value.is_string() ? value.get<std::string>() : std::string();
}

// legacyValidateEvent. The internal field ReportingController is core/v1's
// "reportingComponent"; errors name it reportingController, and name the note
// "message".
void legacyValidate(const json& event, std::vector<Cause>& causes) {
  const std::string ns = event.value("metadata", json::object()).value("namespace", "");
  const json involved = event.value("involvedObject", json::object());
  const std::string involvedNamespace =
      involved.is_object() ? involved.value("namespace", "") : std::string();
  const auto mismatch = [&] {
    causes.push_back(invalidValue("involvedObject.namespace", json(involvedNamespace),
                                  "does not match event.namespace"));
  };
  if (fieldValue(event, "eventTime").is_null()) {
    if (involvedNamespace.empty() ? (!ns.empty() && ns != "default") : ns != involvedNamespace)
      mismatch();
    return;
  }
  if (involvedNamespace.empty() && ns != "default" && ns != "kube-system")
    mismatch();
  const std::string controller = stringField(event, "reportingComponent");
  if (controller.empty())
    causes.push_back(requiredValue("reportingController"));
  validateQualifiedName(controller, "reportingController", causes);
  const auto limited = [&](const char* stored, const char* path, std::size_t limit, bool required) {
    const std::string value = stringField(event, stored);
    if (required && value.empty())
      causes.push_back(requiredValue(path));
    if (value.size() > limit)
      causes.push_back(
          invalidValue(path, json(""), fmt::format("can have at most {} characters", limit)));
  };
  limited("reportingInstance", "reportingInstance", kReportingInstanceLengthLimit, true);
  limited("action", "action", kActionLengthLimit, true);
  limited("reason", "reason", kReasonLengthLimit, true);
  limited("message", "message", kNoteLengthLimit, false);
}

// validateV1EventSeries.
void validateSeries(const json& event, std::vector<Cause>& causes) {
  if (!event.contains("series") || event["series"].is_null())
    return;
  const json& series = event["series"];
  const json count = series.is_object() ? series.value("count", json(0)) : json(0);
  if (!count.is_number() || count.get<double>() < 2)
    causes.push_back(invalidValue("series.count", json(""), "should be at least 2"));
  if (!series.is_object() || fieldValue(series, "lastObservedTime").is_null())
    causes.push_back(requiredValue("series.lastObservedTime"));
}

void validateCreate(const json& event, std::vector<Cause>& causes) {
  validateSeries(event, causes);
  if (fieldValue(event, "eventTime").is_null())
    causes.push_back(requiredValue("eventTime"));
  const std::string type = stringField(event, "type");
  if (type != "Normal" && type != "Warning")
    causes.push_back(invalidValue("type", json(""), "has invalid value: " + type));
  for (const char* field : {"firstTimestamp", "lastTimestamp", "count"}) {
    if (!fieldValue(event, field).is_null())
      causes.push_back(invalidValue(field, json(""), "needs to be unset"));
  }
  const json source = fieldValue(event, "source");
  if (source.is_object() &&
      (!fieldValue(source, "component").is_null() || !fieldValue(source, "host").is_null()))
    causes.push_back(invalidValue("source", json(""), "needs to be unset"));
}

void validateUpdate(const json& event, const json& old, std::vector<Cause>& causes) {
  if (fieldValue(event, "series") != fieldValue(old, "series"))
    validateSeries(event, causes);
  // ValidateImmutableField for each of these ({stored field, error path}).
  static const std::vector<std::pair<const char*, const char*>> kImmutable = {
      {"involvedObject", "involvedObject"},
      {"reason", "reason"},
      {"message", "message"},
      {"source", "source"},
      {"firstTimestamp", "firstTimestamp"},
      {"lastTimestamp", "lastTimestamp"},
      {"count", "count"},
      {"type", "type"},
      {"eventTime", "eventTime"},
      {"action", "action"},
      {"related", "related"},
      {"reportingComponent", "reportingController"},
      {"reportingInstance", "reportingInstance"}};
  for (const auto& [stored, path] : kImmutable) {
    const json now = fieldValue(event, stored);
    if (now != fieldValue(old, stored))
      causes.push_back(invalidValue(path, now.is_null() ? json("") : now, "field is immutable"));
  }
}

} // namespace

void validateEventsV1Event(const json& event, const json& old, std::vector<Cause>& causes) {
  legacyValidate(event, causes);
  // ObjectMeta (ValidateObjectMeta / ValidateObjectMetaUpdate) is checked for
  // every kind by validateObject.
  if (old.is_null())
    validateCreate(event, causes);
  else
    validateUpdate(event, old, causes);
}

} // namespace harborrobot::kubesim

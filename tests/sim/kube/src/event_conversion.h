// events.k8s.io/v1 Event as a second view of the stored core/v1 Event: the
// field-by-field conversion both ways and the view's field selector labels.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resource_type.h"

namespace harborrobot::kubesim {

// True for the events.k8s.io/v1 events resource.
bool isEventsV1(const ResourceType& type);

// The events.k8s.io/v1 type: core events' storage seen through another group.
ResourceType eventsV1Type();

// A stored core/v1 Event as events.k8s.io/v1 shows it, and back.
nlohmann::json coreEventToEventsV1(const nlohmann::json& core);
nlohmann::json eventsV1ToCoreEvent(const nlohmann::json& event);

// A response body through the view: an Event, an EventList's items, or the
// full objects in a Table's rows are converted; anything else is returned as is.
nlohmann::json presentEventsV1(nlohmann::json body);

// The top-level fields of an events.k8s.io/v1 Event (unknown-field checks).
const std::set<std::string>& eventsV1Fields();

// Field selector labels the view accepts, and the stored object's label each
// one selects on.
std::vector<std::string> eventsV1FieldLabels();
std::string eventsV1FieldLabelToCore(const std::string& label);

} // namespace harborrobot::kubesim

// Validation of Events written through events.k8s.io/v1, on the stored
// (core/v1) form, as the apiserver validates the internal core.Event.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace harborrobot::kubesim {

// `event` and `old` (null on create) are core/v1 Events; field paths name the
// internal fields (message, involvedObject, reportingController, ...).
void validateEventsV1Event(const nlohmann::json& event, const nlohmann::json& old,
                           std::vector<Cause>& causes);

} // namespace harborrobot::kubesim

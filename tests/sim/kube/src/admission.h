// What the apiserver's strategies and default admission do to an object on
// the way in: defaults, Secret stringData folding, the Namespace label, status
// and generation rules, metadata that a client may not change.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "resource_type.h"

namespace harborrobot::kubesim {

// Server-owned metadata for a new object; `uid` and `now` are supplied so the
// caller controls randomness and time.
void stampNewObject(const ResourceType& type, nlohmann::json& object, const std::string& uid,
                    const std::string& now);

// Kind-specific defaults and mutations on create.
void admitCreate(const ResourceType& type, nlohmann::json& object);

// Prepares an update: keeps immutable metadata from `old`, applies the status
// subresource rules (`toStatus` for writes to /status), folds stringData and
// bumps generation when anything outside metadata and status changed.
void admitUpdate(const ResourceType& type, const nlohmann::json& old, nlohmann::json& object,
                 bool toStatus);

} // namespace harborrobot::kubesim

// The apiserver's checks on built-in objects: the decoding step (types of
// fields, unknown fields under fieldValidation=Strict) and validation (names,
// labels, per-kind rules such as Secret types), with apimachinery's wording.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "resource_type.h"

namespace harborrobot::kubesim {

// Type errors a Go decoder would hit, as a 400 "cannot be handled as a" error.
std::optional<ApiError> checkDecodable(const ResourceType& type, const nlohmann::json& object);

// Fields a built-in kind's Go type does not have ("spec.x"); empty for kinds
// the simulator does not describe field by field.
std::vector<std::string> unknownBuiltinFields(const ResourceType& type,
                                              const nlohmann::json& object);

// Validation on create (old is null) and update.
std::vector<Cause> validateObject(const ResourceType& type, const nlohmann::json& object,
                                  const nlohmann::json& old);

// apimachinery util/validation IsQualifiedName ("prefix/name" as label keys
// are), each problem an Invalid cause on `field`.
void validateQualifiedName(const std::string& value, const std::string& field,
                           std::vector<Cause>& causes);

// The message of a 400 for a body that is not an object of the type at all.
std::string cannotBeHandled(const ResourceType& type, const std::string& why);

} // namespace harborrobot::kubesim

// CustomResourceDefinitions: the checks on a CRD itself, the types it serves,
// and what its structural schema does to a custom resource (defaults, pruning
// of unknown fields, validation with apiextensions' messages).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "resource_type.h"

namespace harborrobot::kubesim {

std::vector<Cause> validateCrd(const nlohmann::json& crd);
// The served versions of an accepted CRD as resource types.
std::vector<ResourceType> typesFromCrd(const nlohmann::json& crd);
// The CRD with the NamesAccepted and Established conditions and acceptedNames
// a real apiextensions controller sets.
nlohmann::json establishCrd(nlohmann::json crd);

// Fills schema defaults and removes fields the schema does not know (except
// under x-kubernetes-preserve-unknown-fields), appending their paths
// ("spec.foo") to `unknownFields`. metadata, apiVersion and kind are left alone.
void defaultAndPrune(const nlohmann::json& schema, nlohmann::json& object,
                     std::vector<std::string>& unknownFields);
// Validation errors of the object against the schema (after defaultAndPrune).
std::vector<Cause> validateAgainstSchema(const nlohmann::json& schema,
                                         const nlohmann::json& object);

} // namespace harborrobot::kubesim

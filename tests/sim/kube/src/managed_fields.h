// Field ownership for server-side apply: which manager set which leaf field,
// kept in metadata.managedFields in the apiserver's FieldsV1 shape
// ({"f:spec":{"f:x":{}}}). Lists are atomic leaves, which is what the
// apiserver does for lists without x-kubernetes-list-type.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace harborrobot::kubesim {

// A leaf field as a path of keys, e.g. {"spec", "refreshInterval"}.
using FieldPath = std::vector<std::string>;
using FieldSet = std::set<FieldPath>;

// The leaf fields an object sets: everything but apiVersion, kind, status (for
// kinds with a status subresource) and metadata other than labels/annotations.
FieldSet fieldsOf(const nlohmann::json& object);
nlohmann::json toFieldsV1(const FieldSet& fields);
FieldSet fromFieldsV1(const nlohmann::json& fieldsV1);
std::string describe(const FieldPath& path); // ".spec.refreshInterval"

// Server-side apply of `applied` by `manager` onto `live` (null when absent).
// 409 Conflict when another manager owns a field whose value would change,
// unless `force`. Returns the new object with managedFields updated.
ApiResult<nlohmann::json> serverSideApply(const nlohmann::json& live, const nlohmann::json& applied,
                                          const std::string& manager, bool force,
                                          const std::string& apiVersion,
                                          const std::string& timestamp);

// Records an ordinary write (create/update/patch) by `manager`: it takes
// ownership of every field whose value it changed.
void recordUpdate(const nlohmann::json& before, nlohmann::json& after, const std::string& manager,
                  const std::string& apiVersion, const std::string& timestamp);

} // namespace harborrobot::kubesim

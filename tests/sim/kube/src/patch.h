// The four PATCH flavours the apiserver accepts: JSON merge patch (RFC 7386),
// JSON patch (RFC 6902), strategic merge patch (built-in kinds, with the merge
// keys of their Go types) and server-side apply (in apply.h).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace harborrobot::kubesim {

ApiResult<nlohmann::json> applyMergePatch(const nlohmann::json& original,
                                          const nlohmann::json& patch);
ApiResult<nlohmann::json> applyJsonPatch(const nlohmann::json& original,
                                         const nlohmann::json& patch);
// `kind` selects the merge keys ("Pod", "Deployment", "ServiceAccount", ...).
ApiResult<nlohmann::json> applyStrategicMergePatch(const std::string& kind,
                                                   const nlohmann::json& original,
                                                   const nlohmann::json& patch);

// The merge key of the list at `path` (dotted, list steps omitted) in `kind`,
// "" for a list of primitives merged as a set, nullopt for a replaced list.
std::optional<std::string> strategicMergeKey(const std::string& kind, const std::string& path);

} // namespace harborrobot::kubesim

// Discovery and OpenAPI documents built from the type registry, so types that
// CRDs add show up in `kubectl api-resources` and validate with `kubectl apply`.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "resource_type.h"

namespace harborrobot::kubesim {

nlohmann::json versionInfo();
nlohmann::json coreApiVersions(const std::string& serverAddress);
nlohmann::json apiGroupList(const TypeRegistry& registry);
// /api/v1 or /apis/<group>/<version>; nullopt when the group version is not served.
std::optional<nlohmann::json> apiResourceList(const TypeRegistry& registry,
                                              const std::string& group, const std::string& version);
// /apis/<group>; nullopt when the group is not served.
std::optional<nlohmann::json> apiGroup(const TypeRegistry& registry, const std::string& group);

// Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): /api
// when `core`, else /apis; lets kubectl discover everything in two requests.
nlohmann::json aggregatedDiscovery(const TypeRegistry& registry, bool core);
bool acceptsAggregatedDiscovery(const std::string& accept);
inline constexpr const char* kAggregatedDiscoveryType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

// /openapi/v3: one entry per group version, keyed by a hash of the type set.
nlohmann::json openApiIndex(const TypeRegistry& registry);
// /openapi/v3/api/v1 or /openapi/v3/apis/<g>/<v>: PATCH operations carrying the
// GVK and the fieldValidation parameter (what kubectl checks before it relies
// on server-side validation), plus the custom resources' schemas.
std::optional<nlohmann::json> openApiDocument(const TypeRegistry& registry,
                                              const std::string& group, const std::string& version);

} // namespace harborrobot::kubesim

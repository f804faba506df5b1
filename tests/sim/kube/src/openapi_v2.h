// /openapi/v2: the Swagger 2.0 document kubectl 1.27 and 1.28 download for
// `apply`, `create`, `explain` and client-side validation, as JSON and as the
// gnostic OpenAPIv2 protobuf they ask for.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "resource_type.h"

namespace harborrobot::kubesim {

// The document: paths for every served type (operations carrying
// x-kubernetes-group-version-kind and their query parameters), definitions
// for the built-in kinds the simulator describes and for every CRD version's
// schema, converted to v2 as apiextensions-apiserver does.
nlohmann::json openApiV2Document(const TypeRegistry& registry);

// The document as gnostic's openapi_v2.Document protobuf, the bytes
// kube-openapi's ToProtoBinary produces (vendor extensions, defaults and enum
// values as YAML text in Any.yaml).
std::string encodeOpenApiV2Protobuf(const nlohmann::json& document);

// The built-in definitions the simulator describes (Swagger 2.0 form, refs
// to #/definitions/), shared with the OpenAPI v3 documents.
const nlohmann::json& builtinOpenApiDefinitions();

// The same schemas in OpenAPI v3 form: refs to #/components/schemas/, and a
// ref with siblings (a description) wrapped in allOf, as kube-openapi's
// builder3 writes them.
nlohmann::json toOpenApiV3Schemas(const nlohmann::json& definitions);

// Which representation an Accept header picks, following kube-openapi's
// handler: "json", "protobuf", or "" (406 Not Acceptable).
std::string negotiateOpenApiV2(const std::string& accept);

inline constexpr const char* kOpenApiV2ProtobufType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

} // namespace harborrobot::kubesim

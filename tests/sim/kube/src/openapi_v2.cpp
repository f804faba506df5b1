// Builds and encodes /openapi/v2. Sources: kube-openapi pkg/handler/handler.go
// (content negotiation, ToProtoBinary), gnostic openapiv2/OpenAPIv2.proto (field
// numbers), apiextensions-apiserver pkg/controller/openapi/builder/builder.go and
// v2/conversion.go (CRD schemas in v2), the apiserver's swagger for built-in
// kinds (api/openapi-spec/swagger.json; patch extensions from
// staging/src/k8s.io/api/core/v1/types.go and apimachinery meta/v1/types.go).
#include "openapi_v2.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "protobuf_wire.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

constexpr const char* kObjectMetaRef =
    "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

// The built-in definitions the simulator describes: the kinds its tests and
// the product write (Secret, ConfigMap, Namespace, ServiceAccount) and what
// they reference. Field names, types, formats and the strategic-merge
// extensions follow the apiserver's swagger.json; descriptions are abridged.
// A kind left out makes kubectl fall back to its compiled-in patch metadata,
// as it does for any kind the spec does not list.
const json& builtinDefinitionsV2() {
  static const json definitions = json::parse(R"json({
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {
    "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.",
    "type": "string", "format": "date-time"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": {
    "description": "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.",
    "type": "object"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {
    "description": "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "APIVersion defines the version of this resource that this field set applies to.", "type": "string"},
      "fieldsType": {"description": "FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\"", "type": "string"},
      "fieldsV1": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "description": "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."},
      "manager": {"description": "Manager is an identifier of the workflow managing these fields.", "type": "string"},
      "operation": {"description": "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.", "type": "string"},
      "subresource": {"description": "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.", "type": "string"},
      "time": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time", "description": "Time is the timestamp of when the ManagedFields entry was added."}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": {
    "description": "OwnerReference contains enough information to let you identify an owning object.",
    "type": "object",
    "required": ["apiVersion", "kind", "name", "uid"],
    "properties": {
      "apiVersion": {"description": "API version of the referent.", "type": "string"},
      "blockOwnerDeletion": {"description": "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.", "type": "boolean"},
      "controller": {"description": "If true, this reference points to the managing controller.", "type": "boolean"},
      "kind": {"description": "Kind of the referent.", "type": "string"},
      "name": {"description": "Name of the referent.", "type": "string"},
      "uid": {"description": "UID of the referent.", "type": "string"}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
    "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    "type": "object",
    "properties": {
      "annotations": {"description": "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.", "type": "object", "additionalProperties": {"type": "string"}},
      "creationTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."},
      "deletionGracePeriodSeconds": {"description": "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.", "type": "integer", "format": "int64"},
      "deletionTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."},
      "finalizers": {"description": "Must be empty before the object is deleted from the registry.", "type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"},
      "generateName": {"description": "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.", "type": "string"},
      "generation": {"description": "A sequence number representing a specific generation of the desired state.", "type": "integer", "format": "int64"},
      "labels": {"description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects.", "type": "object", "additionalProperties": {"type": "string"}},
      "managedFields": {"description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.", "type": "array", "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"}, "x-kubernetes-list-type": "atomic"},
      "name": {"description": "Name must be unique within a namespace.", "type": "string"},
      "namespace": {"description": "Namespace defines the space within which each name must be unique.", "type": "string"},
      "ownerReferences": {"description": "List of objects depended by this object.", "type": "array", "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"}, "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map", "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"},
      "resourceVersion": {"description": "An opaque value that represents the internal version of this object.", "type": "string"},
      "selfLink": {"description": "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.", "type": "string"},
      "uid": {"description": "UID is the unique in time and space value for this object.", "type": "string"}}},
  "io.k8s.api.core.v1.Secret": {
    "description": "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
      "data": {"description": "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string.", "type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
      "immutable": {"description": "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).", "type": "boolean"},
      "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "Standard object's metadata."},
      "stringData": {"description": "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values.", "type": "object", "additionalProperties": {"type": "string"}},
      "type": {"description": "Used to facilitate programmatic handling of secret data.", "type": "string"}},
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "Secret", "version": "v1"}]},
  "io.k8s.api.core.v1.ConfigMap": {
    "description": "ConfigMap holds configuration data for pods to consume.",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
      "binaryData": {"description": "BinaryData contains the binary data.", "type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
      "data": {"description": "Data contains the configuration data.", "type": "object", "additionalProperties": {"type": "string"}},
      "immutable": {"description": "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).", "type": "boolean"},
      "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "Standard object's metadata."}},
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "ConfigMap", "version": "v1"}]},
  "io.k8s.api.core.v1.NamespaceSpec": {
    "description": "NamespaceSpec describes the attributes on a Namespace.",
    "type": "object",
    "properties": {
      "finalizers": {"description": "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.", "type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"}}},
  "io.k8s.api.core.v1.NamespaceStatus": {
    "description": "NamespaceStatus is information about the current status of a Namespace.",
    "type": "object",
    "properties": {
      "phase": {"description": "Phase is the current lifecycle phase of the namespace.", "type": "string"}}},
  "io.k8s.api.core.v1.Namespace": {
    "description": "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
      "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "Standard object's metadata."},
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.NamespaceSpec", "description": "Spec defines the behavior of the Namespace."},
      "status": {"$ref": "#/definitions/io.k8s.api.core.v1.NamespaceStatus", "description": "Status describes the current status of a Namespace."}},
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "Namespace", "version": "v1"}]},
  "io.k8s.api.core.v1.LocalObjectReference": {
    "description": "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.",
    "type": "object",
    "properties": {
      "name": {"description": "Name of the referent.", "type": "string"}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.api.core.v1.ObjectReference": {
    "description": "ObjectReference contains enough information to let you inspect or modify the referred object.",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "API version of the referent.", "type": "string"},
      "fieldPath": {"description": "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", "type": "string"},
      "kind": {"description": "Kind of the referent.", "type": "string"},
      "name": {"description": "Name of the referent.", "type": "string"},
      "namespace": {"description": "Namespace of the referent.", "type": "string"},
      "resourceVersion": {"description": "Specific resourceVersion to which this reference is made, if any.", "type": "string"},
      "uid": {"description": "UID of the referent.", "type": "string"}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.api.core.v1.ServiceAccount": {
    "description": "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
    "type": "object",
    "properties": {
      "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
      "automountServiceAccountToken": {"description": "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.", "type": "boolean"},
      "imagePullSecrets": {"description": "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.", "type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.LocalObjectReference"}, "x-kubernetes-list-type": "atomic"},
      "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "Standard object's metadata."},
      "secrets": {"description": "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", "type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.ObjectReference"}, "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}},
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "ServiceAccount", "version": "v1"}]}
})json");
  return definitions;
}

// "harbor-robot-gen.alaudadevops.alauda.io" → "io.alauda.alaudadevops.harbor-robot-gen":
// kube-openapi util.ToRESTFriendlyName reverses the group's DNS labels.
std::string reversedGroup(const std::string& group) {
  std::vector<std::string> labels;
  std::stringstream in(group);
  for (std::string label; std::getline(in, label, '.');)
    labels.push_back(label);
  std::string out;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it)
    out += (out.empty() ? "" : ".") + *it;
  return out;
}

std::string definitionName(const ResourceType& type) {
  if (type.custom)
    return reversedGroup(type.group) + "." + type.version + "." + type.kind;
  // Built-ins: io.k8s.api.<short group>.<version>.<Kind>; the simulator
  // describes core kinds only.
  return "io.k8s.api.core." + type.version + "." + type.kind;
}

// apiextensions-apiserver controller/openapi/v2/conversion.go
// ToStructuralOpenAPIV2: drop the junctors, untype nullable fields and those
// preserving unknown fields, and untype arrays left without items.
void toOpenApiV2Schema(json& schema) {
  if (!schema.is_object())
    return;
  for (const char* junctor : {"allOf", "oneOf", "anyOf", "not"})
    schema.erase(junctor);
  const bool nullable = schema.value("nullable", false);
  schema.erase("nullable");
  if (nullable) {
    schema.erase("type");
    schema.erase("items");
    schema.erase("properties");
  }
  const bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  if (preserve) {
    schema.erase("items");
    schema.erase("properties");
  }
  if (!schema.contains("items") && schema.value("type", "") == "array")
    schema.erase("type");
  if (preserve && schema.value("type", "") == "object")
    schema.erase("type");
  if (schema.contains("properties") && schema["properties"].is_object()) {
    for (auto& [name, property] : schema["properties"].items()) {
      if (property.is_object() && property.value("nullable", false) &&
          schema.contains("required") && schema["required"].is_array()) {
        auto& required = schema["required"];
        required.erase(std::remove(required.begin(), required.end(), json(name)), required.end());
      }
      toOpenApiV2Schema(property);
    }
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    if (schema["additionalProperties"].value("nullable", false))
      schema.erase("required");
    toOpenApiV2Schema(schema["additionalProperties"]);
  }
  if (schema.contains("items"))
    toOpenApiV2Schema(schema["items"]);
  if (schema.contains("required") && schema["required"].empty())
    schema.erase("required");
}

// apiextensions builder.go buildKubeNative: the CRD's schema with metadata as
// a reference to ObjectMeta, apiVersion and kind described, and the GVK.
json customDefinition(const ResourceType& type) {
  const json gvk =
      json::array({{{"group", type.group}, {"version", type.version}, {"kind", type.kind}}});
  json schema = type.schema.is_object() ? type.schema : json::object();
  if (schema.empty() || schema.value("x-kubernetes-preserve-unknown-fields", false)) {
    // builder.go: no properties at all, or kubectl would refuse unknown ones.
    return {{"type", "object"}, {"x-kubernetes-group-version-kind", gvk}};
  }
  toOpenApiV2Schema(schema);
  schema["properties"]["metadata"] = {
      {"$ref", kObjectMetaRef},
      {"description", "Standard object's metadata. More info: "
                      "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                      "api-conventions.md#metadata"}};
  schema["properties"]["apiVersion"] = {
      {"type", "string"},
      {"description", "APIVersion defines the versioned schema of this representation of an "
                      "object. Servers should convert recognized schemas to the latest internal "
                      "value, and may reject unrecognized values."}};
  schema["properties"]["kind"] = {
      {"type", "string"},
      {"description", "Kind is a string value representing the REST resource this object "
                      "represents. Servers may infer this from the endpoint the client submits "
                      "requests to."}};
  schema["x-kubernetes-group-version-kind"] = gvk;
  return schema;
}

json queryParameter(const std::string& name, const std::string& type,
                    const std::string& description) {
  json parameter = {{"in", "query"}, {"name", name}, {"type", type}, {"uniqueItems", true}};
  if (!description.empty())
    parameter["description"] = description;
  return parameter;
}

// The write options every create, update and patch route advertises
// (apiserver endpoints/installer.go AddObjectParams of Create/Update/PatchOptions).
json writeParameters(bool patch) {
  json parameters = json::array();
  parameters.push_back(queryParameter(
      "dryRun", "string",
      "When present, indicates that modifications should not be persisted. Valid values are: "
      "- All: all dry run stages will be processed"));
  parameters.push_back(queryParameter(
      "fieldManager", "string",
      "fieldManager is a name associated with the actor or entity that is making these changes."));
  parameters.push_back(queryParameter(
      "fieldValidation", "string",
      "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/"
      "PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."));
  if (patch) {
    parameters.push_back(queryParameter(
        "force", "boolean",
        "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting "
        "fields owned by other people."));
  }
  return parameters;
}

json operation(const ResourceType& type, const std::string& action, const std::string& verb,
               const std::string& responseRef, json parameters) {
  const std::string group = type.group.empty() ? "Core" : "";
  json op = {{"description", verb + " " + type.kind},
             {"operationId", verb + type.kind},
             {"produces", {"application/json", "application/yaml"}},
             {"schemes", {"https"}},
             {"x-kubernetes-action", action},
             {"x-kubernetes-group-version-kind",
              {{"group", type.group}, {"kind", type.kind}, {"version", type.version}}}};
  if (!parameters.empty())
    op["parameters"] = std::move(parameters);
  json ok = {{"description", "OK"}};
  if (!responseRef.empty())
    ok["schema"] = {{"$ref", responseRef}};
  op["responses"] = {{"200", ok}, {"401", {{"description", "Unauthorized"}}}};
  return op;
}

} // namespace

const json& builtinOpenApiDefinitions() {
  return builtinDefinitionsV2();
}

json toOpenApiV3Schemas(const json& definitions) {
  std::function<json(const json&)> convert = [&](const json& node) -> json {
    if (node.is_array()) {
      json out = json::array();
      for (const auto& item : node)
        out.push_back(convert(item));
      return out;
    }
    if (!node.is_object())
      return node;
    json out = json::object();
    for (const auto& [key, value] : node.items())
      out[key] = convert(value);
    if (out.contains("$ref") && out["$ref"].is_string()) {
      std::string ref = out["$ref"];
      if (ref.starts_with("#/definitions/"))
        ref = "#/components/schemas/" + ref.substr(std::string("#/definitions/").size());
      out.erase("$ref");
      if (out.empty())
        return json{{"$ref", ref}};
      out["allOf"] = json::array({{{"$ref", ref}}});
    }
    return out;
  };
  json schemas = json::object();
  for (const auto& [name, schema] : definitions.items())
    schemas[name] = convert(schema);
  return schemas;
}

json openApiV2Document(const TypeRegistry& registry) {
  json paths = json::object();
  json definitions = builtinDefinitionsV2();
  for (const auto& type : registry.all()) {
    if (type.virtualCreateOnly)
      continue;
    std::string responseRef;
    if (type.custom) {
      const std::string name = definitionName(type);
      definitions[name] = customDefinition(type);
      responseRef = "#/definitions/" + name;
    } else if (definitions.contains(definitionName(type)) && type.group.empty()) {
      responseRef = "#/definitions/" + definitionName(type);
    }
    const std::string base =
        (type.group.empty() ? "/api/" + type.version : "/apis/" + type.group + "/" + type.version) +
        (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural;
    json pathParameters = json::array();
    if (type.namespaced) {
      pathParameters.push_back({{"in", "path"},
                                {"name", "namespace"},
                                {"required", true},
                                {"type", "string"},
                                {"uniqueItems", true},
                                {"description", "object name and auth scope, such as for teams "
                                                "and projects"}});
    }
    json itemParameters = pathParameters;
    itemParameters.push_back({{"in", "path"},
                              {"name", "name"},
                              {"required", true},
                              {"type", "string"},
                              {"uniqueItems", true},
                              {"description", "name of the " + type.kind}});
    json patchBody = {
        {"in", "body"}, {"name", "body"}, {"required", true}, {"schema", {{"type", "object"}}}};
    json patchParameters = writeParameters(true);
    patchParameters.insert(patchParameters.begin(), patchBody);
    json collection = {
        {"get", operation(type, "list", "list", "", json::array())},
        {"post", operation(type, "post", "create", responseRef, writeParameters(false))},
        {"parameters", pathParameters}};
    json item = {{"get", operation(type, "get", "read", responseRef, json::array())},
                 {"put", operation(type, "put", "replace", responseRef, writeParameters(false))},
                 {"patch", operation(type, "patch", "patch", responseRef, patchParameters)},
                 {"delete", operation(type, "delete", "delete", "", json::array())},
                 {"parameters", itemParameters}};
    paths[base] = std::move(collection);
    paths[base + "/{name}"] = std::move(item);
    if (type.hasSubresource("status")) {
      paths[base + "/{name}/status"] = {
          {"get", operation(type, "get", "read", responseRef, json::array())},
          {"patch", operation(type, "patch", "patch", responseRef, patchParameters)},
          {"put", operation(type, "put", "replace", responseRef, writeParameters(false))},
          {"parameters", itemParameters}};
    }
  }
  return {{"swagger", "2.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.4"}}},
          {"paths", paths},
          {"definitions", definitions}};
}

namespace {

// gnostic's compiler keeps extension values, defaults and enum members as
// YAML text (openapi_v2.Any.yaml, field 2); JSON is YAML.
std::string anyMessage(const json& value) {
  WireWriter any;
  any.bytes(2, value.dump() + "\n");
  return any.data();
}

void vendorExtensions(WireWriter& out, int number, const json& object) {
  for (const auto& [key, value] : object.items()) {
    if (!key.starts_with("x-"))
      continue;
    WireWriter named; // NamedAny {1 name, 2 value}
    named.bytes(1, key);
    named.bytes(2, anyMessage(value));
    out.bytes(number, named.data());
  }
}

std::string encodeSchema(const json& schema);

// openapi_v2.Schema, field numbers from OpenAPIv2.proto.
std::string encodeSchema(const json& schema) {
  WireWriter out;
  if (!schema.is_object())
    return out.data();
  auto text = [&](int number, const char* key) {
    if (schema.contains(key) && schema[key].is_string())
      out.stringIfSet(number, schema[key].get<std::string>());
  };
  auto number = [&](int field, const char* key) {
    if (schema.contains(key) && schema[key].is_number())
      out.doubleValue(field, schema[key].get<double>());
  };
  auto integer = [&](int field, const char* key) {
    if (schema.contains(key) && schema[key].is_number_integer())
      out.varint(field, static_cast<std::uint64_t>(schema[key].get<std::int64_t>()));
  };
  auto flag = [&](int field, const char* key) {
    if (schema.value(key, false) == true)
      out.boolean(field, true);
  };
  text(1, "$ref");
  text(2, "format");
  text(3, "title");
  text(4, "description");
  if (schema.contains("default"))
    out.bytes(5, anyMessage(schema["default"]));
  number(6, "multipleOf");
  number(7, "maximum");
  flag(8, "exclusiveMaximum");
  number(9, "minimum");
  flag(10, "exclusiveMinimum");
  integer(11, "maxLength");
  integer(12, "minLength");
  text(13, "pattern");
  integer(14, "maxItems");
  integer(15, "minItems");
  flag(16, "uniqueItems");
  integer(17, "maxProperties");
  integer(18, "minProperties");
  if (schema.contains("required") && schema["required"].is_array()) {
    for (const auto& name : schema["required"])
      if (name.is_string())
        out.bytes(19, name.get<std::string>());
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    for (const auto& value : schema["enum"])
      out.bytes(20, anyMessage(value));
  }
  if (schema.contains("additionalProperties")) {
    WireWriter item; // AdditionalPropertiesItem {1 schema | 2 boolean}
    const json& additional = schema["additionalProperties"];
    if (additional.is_boolean())
      item.boolean(2, additional.get<bool>());
    else
      item.bytes(1, encodeSchema(additional));
    out.bytes(21, item.data());
  }
  if (schema.contains("type")) {
    WireWriter type; // TypeItem {1 repeated value}
    if (schema["type"].is_string())
      type.bytes(1, schema["type"].get<std::string>());
    else if (schema["type"].is_array())
      for (const auto& value : schema["type"])
        type.bytes(1, value.get<std::string>());
    out.bytes(22, type.data());
  }
  if (schema.contains("items")) {
    WireWriter items; // ItemsItem {1 repeated schema}
    if (schema["items"].is_array())
      for (const auto& item : schema["items"])
        items.bytes(1, encodeSchema(item));
    else
      items.bytes(1, encodeSchema(schema["items"]));
    out.bytes(23, items.data());
  }
  if (schema.contains("allOf") && schema["allOf"].is_array()) {
    for (const auto& part : schema["allOf"])
      out.bytes(24, encodeSchema(part));
  }
  if (schema.contains("properties") && schema["properties"].is_object()) {
    WireWriter properties; // Properties {1 repeated NamedSchema}
    for (const auto& [name, property] : schema["properties"].items()) {
      WireWriter named;
      named.bytes(1, name);
      named.bytes(2, encodeSchema(property));
      properties.bytes(1, named.data());
    }
    out.bytes(25, properties.data());
  }
  text(26, "discriminator");
  flag(27, "readOnly");
  if (schema.contains("example"))
    out.bytes(30, anyMessage(schema["example"]));
  vendorExtensions(out, 31, schema);
  return out.data();
}

// ParametersItem {1 Parameter {1 BodyParameter | 2 NonBodyParameter}}.
std::string encodeParameter(const json& parameter) {
  WireWriter inner;
  const std::string in = parameter.value("in", "");
  if (in == "body") {
    WireWriter body; // BodyParameter
    body.stringIfSet(1, parameter.value("description", ""));
    body.stringIfSet(2, parameter.value("name", ""));
    body.stringIfSet(3, in);
    if (parameter.value("required", false))
      body.boolean(4, true);
    if (parameter.contains("schema"))
      body.bytes(5, encodeSchema(parameter["schema"]));
    inner.bytes(1, body.data());
  } else {
    // NonBodyParameter: 3 QueryParameterSubSchema, 4 PathParameterSubSchema;
    // the two differ only by allowEmptyValue (query field 5), which shifts
    // the later numbers by one.
    const bool query = in == "query";
    const int shift = query ? 1 : 0;
    WireWriter sub;
    if (parameter.value("required", false))
      sub.boolean(1, true);
    sub.stringIfSet(2, in);
    sub.stringIfSet(3, parameter.value("description", ""));
    sub.stringIfSet(4, parameter.value("name", ""));
    sub.stringIfSet(5 + shift, parameter.value("type", ""));
    sub.stringIfSet(6 + shift, parameter.value("format", ""));
    if (parameter.value("uniqueItems", false))
      sub.boolean(19 + shift, true);
    WireWriter nonBody;
    nonBody.bytes(query ? 3 : 4, sub.data());
    inner.bytes(2, nonBody.data());
  }
  WireWriter item;
  item.bytes(1, inner.data());
  return item.data();
}

std::string encodeOperation(const json& op) {
  WireWriter out; // Operation
  for (const auto& tag : op.value("tags", json::array()))
    out.bytes(1, tag.get<std::string>());
  out.stringIfSet(2, op.value("summary", ""));
  out.stringIfSet(3, op.value("description", ""));
  out.stringIfSet(5, op.value("operationId", ""));
  for (const auto& type : op.value("produces", json::array()))
    out.bytes(6, type.get<std::string>());
  for (const auto& type : op.value("consumes", json::array()))
    out.bytes(7, type.get<std::string>());
  for (const auto& parameter : op.value("parameters", json::array()))
    out.bytes(8, encodeParameter(parameter));
  if (op.contains("responses")) {
    WireWriter responses; // Responses {1 repeated NamedResponseValue}
    for (const auto& [code, response] : op["responses"].items()) {
      WireWriter body; // Response {1 description, 2 SchemaItem{1 schema}}
      body.stringIfSet(1, response.value("description", ""));
      if (response.contains("schema")) {
        WireWriter schemaItem;
        schemaItem.bytes(1, encodeSchema(response["schema"]));
        body.bytes(2, schemaItem.data());
      }
      WireWriter value; // ResponseValue {1 response}
      value.bytes(1, body.data());
      WireWriter named;
      named.bytes(1, code);
      named.bytes(2, value.data());
      responses.bytes(1, named.data());
    }
    out.bytes(9, responses.data());
  }
  for (const auto& scheme : op.value("schemes", json::array()))
    out.bytes(10, scheme.get<std::string>());
  vendorExtensions(out, 13, op);
  return out.data();
}

} // namespace

std::string encodeOpenApiV2Protobuf(const json& document) {
  WireWriter out; // Document
  out.stringIfSet(1, document.value("swagger", ""));
  if (document.contains("info")) {
    WireWriter info;
    info.stringIfSet(1, document["info"].value("title", ""));
    info.stringIfSet(2, document["info"].value("version", ""));
    out.bytes(2, info.data());
  }
  if (document.contains("paths")) {
    WireWriter paths; // Paths {2 repeated NamedPathItem}
    for (const auto& [path, item] : document["paths"].items()) {
      WireWriter pathItem; // PathItem
      static const std::pair<const char*, int> kMethods[] = {
          {"get", 2},     {"put", 3},  {"post", 4}, {"delete", 5},
          {"options", 6}, {"head", 7}, {"patch", 8}};
      for (const auto& [method, number] : kMethods) {
        if (item.contains(method))
          pathItem.bytes(number, encodeOperation(item[method]));
      }
      for (const auto& parameter : item.value("parameters", json::array()))
        pathItem.bytes(9, encodeParameter(parameter));
      vendorExtensions(pathItem, 10, item);
      WireWriter named;
      named.bytes(1, path);
      named.bytes(2, pathItem.data());
      paths.bytes(2, named.data());
    }
    out.bytes(8, paths.data());
  }
  if (document.contains("definitions")) {
    WireWriter definitions; // Definitions {1 repeated NamedSchema}
    for (const auto& [name, schema] : document["definitions"].items()) {
      WireWriter named;
      named.bytes(1, name);
      named.bytes(2, encodeSchema(schema));
      definitions.bytes(1, named.data());
    }
    out.bytes(9, definitions.data());
  }
  return out.data();
}

std::string negotiateOpenApiV2(const std::string& accept) {
  // kube-openapi handler.go: goautoneg clauses by quality, each matched against
  // json, then the deprecated and the current protobuf subtype; */* is json.
  struct Clause {
    std::string type, subtype;
    double quality = 1.0;
  };
  std::vector<Clause> clauses;
  std::stringstream in(accept.empty() ? std::string("*/*") : accept);
  for (std::string part; std::getline(in, part, ',');) {
    Clause clause;
    std::string media = part.substr(0, part.find(';'));
    media.erase(0, media.find_first_not_of(' '));
    media.erase(media.find_last_not_of(' ') + 1);
    const auto slash = media.find('/');
    clause.type = media.substr(0, slash);
    clause.subtype = slash == std::string::npos ? "*" : media.substr(slash + 1);
    if (const auto q = part.find("q="); q != std::string::npos)
      clause.quality = std::atof(part.c_str() + q + 2);
    clauses.push_back(clause);
  }
  std::stable_sort(clauses.begin(), clauses.end(),
                   [](const Clause& a, const Clause& b) { return a.quality > b.quality; });
  static const std::pair<const char*, const char*> kAccepted[] = {
      {"json", "json"},
      {"com.github.proto-openapi.spec.v2@v1.0+protobuf", "protobuf"},
      {"com.github.proto-openapi.spec.v2.v1.0+protobuf", "protobuf"}};
  for (const auto& clause : clauses) {
    if (clause.quality <= 0)
      continue;
    for (const auto& [subtype, representation] : kAccepted) {
      if (clause.type != "application" && clause.type != "*")
        continue;
      if (clause.subtype != subtype && clause.subtype != "*")
        continue;
      return representation;
    }
  }
  return "";
}

} // namespace harborrobot::kubesim

// Field numbers come from the generated.proto files of k8s.io/api and
// k8s.io/apimachinery (gogo-protobuf, proto2). gogo writes every non-pointer
// field, empty or not, so empty strings, zero numbers and false booleans are
// dropped unless the Go field is a pointer: that reproduces the JSON form,
// where such fields carry omitempty.
#include "kube_protobuf.h"

#include <map>
#include <vector>

#include <fmt/format.h>

#include "harborrobot/util/base64.h"
#include "protobuf_wire.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

enum class Kind {
  kString,
  kBytes,
  kInt,
  kBool,
  kMessage,
  kStringMap,
  kBytesMap,
  kTime,
  kIntOrString
};

struct Message;

struct Field {
  int number;
  const char* name;
  Kind kind;
  bool repeated = false;
  const Message* message = nullptr;
  bool keepZero = false; // a pointer field in Go: present means set, even to 0/false
};

struct Message {
  std::vector<Field> fields;
};

// The message descriptors, built once; immutable after construction.
struct Schemas {
  Message ownerReference{{{1, "kind", Kind::kString},
                          {3, "name", Kind::kString},
                          {4, "uid", Kind::kString},
                          {5, "apiVersion", Kind::kString},
                          {6, "controller", Kind::kBool, false, nullptr, true},
                          {7, "blockOwnerDeletion", Kind::kBool, false, nullptr, true}}};
  Message objectMeta{{{1, "name", Kind::kString},
                      {2, "generateName", Kind::kString},
                      {3, "namespace", Kind::kString},
                      {5, "uid", Kind::kString},
                      {6, "resourceVersion", Kind::kString},
                      {8, "creationTimestamp", Kind::kTime},
                      {11, "labels", Kind::kStringMap},
                      {12, "annotations", Kind::kStringMap},
                      {13, "ownerReferences", Kind::kMessage, true, &ownerReference},
                      {14, "finalizers", Kind::kString, true}}};
  Message namespaceSpec{{{1, "finalizers", Kind::kString, true}}};
  Message empty{{}};
  Message namespaceObject{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                           {2, "spec", Kind::kMessage, false, &namespaceSpec},
                           {3, "status", Kind::kMessage, false, &empty}}};
  Message objectReference{{{1, "kind", Kind::kString},
                           {2, "namespace", Kind::kString},
                           {3, "name", Kind::kString},
                           {4, "uid", Kind::kString},
                           {5, "apiVersion", Kind::kString},
                           {6, "resourceVersion", Kind::kString},
                           {7, "fieldPath", Kind::kString}}};
  Message localObjectReference{{{1, "name", Kind::kString}}};
  Message serviceAccount{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                          {2, "secrets", Kind::kMessage, true, &objectReference},
                          {3, "imagePullSecrets", Kind::kMessage, true, &localObjectReference},
                          {4, "automountServiceAccountToken", Kind::kBool, false, nullptr, true}}};
  Message secret{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                  {2, "data", Kind::kBytesMap},
                  {3, "type", Kind::kString},
                  {4, "stringData", Kind::kStringMap},
                  {5, "immutable", Kind::kBool, false, nullptr, true}}};
  Message configMap{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                     {2, "data", Kind::kStringMap},
                     {3, "binaryData", Kind::kBytesMap},
                     {4, "immutable", Kind::kBool, false, nullptr, true}}};
  Message policyRule{{{1, "verbs", Kind::kString, true},
                      {2, "apiGroups", Kind::kString, true},
                      {3, "resources", Kind::kString, true},
                      {4, "resourceNames", Kind::kString, true},
                      {5, "nonResourceURLs", Kind::kString, true}}};
  Message labelSelectorRequirement{{{1, "key", Kind::kString},
                                    {2, "operator", Kind::kString},
                                    {3, "values", Kind::kString, true}}};
  Message labelSelector{{{1, "matchLabels", Kind::kStringMap},
                         {2, "matchExpressions", Kind::kMessage, true, &labelSelectorRequirement}}};
  Message aggregationRule{{{1, "clusterRoleSelectors", Kind::kMessage, true, &labelSelector}}};
  Message role{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                {2, "rules", Kind::kMessage, true, &policyRule},
                {3, "aggregationRule", Kind::kMessage, false, &aggregationRule}}};
  Message subject{{{1, "kind", Kind::kString},
                   {2, "apiGroup", Kind::kString},
                   {3, "name", Kind::kString},
                   {4, "namespace", Kind::kString}}};
  Message roleRef{
      {{1, "apiGroup", Kind::kString}, {2, "kind", Kind::kString}, {3, "name", Kind::kString}}};
  Message roleBinding{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                       {2, "subjects", Kind::kMessage, true, &subject},
                       {3, "roleRef", Kind::kMessage, false, &roleRef}}};
  Message boundObjectReference{{{1, "kind", Kind::kString},
                                {2, "apiVersion", Kind::kString},
                                {3, "name", Kind::kString},
                                {4, "uid", Kind::kString}}};
  Message tokenRequestSpec{{{1, "audiences", Kind::kString, true},
                            {3, "boundObjectRef", Kind::kMessage, false, &boundObjectReference},
                            {4, "expirationSeconds", Kind::kInt, false, nullptr, true}}};
  Message tokenRequest{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                        {2, "spec", Kind::kMessage, false, &tokenRequestSpec}}};
  Message resourceAttributes{{{1, "namespace", Kind::kString},
                              {2, "verb", Kind::kString},
                              {3, "group", Kind::kString},
                              {4, "version", Kind::kString},
                              {5, "resource", Kind::kString},
                              {6, "subresource", Kind::kString},
                              {7, "name", Kind::kString}}};
  Message nonResourceAttributes{{{1, "path", Kind::kString}, {2, "verb", Kind::kString}}};
  Message accessReviewSpec{
      {{1, "resourceAttributes", Kind::kMessage, false, &resourceAttributes},
       {2, "nonResourceAttributes", Kind::kMessage, false, &nonResourceAttributes}}};
  Message accessReview{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                        {2, "spec", Kind::kMessage, false, &accessReviewSpec}}};
  Message selfSubjectReview{{{1, "metadata", Kind::kMessage, false, &objectMeta}}};
  Message envVar{{{1, "name", Kind::kString}, {2, "value", Kind::kString}}};
  Message containerPort{{{1, "name", Kind::kString},
                         {2, "hostPort", Kind::kInt},
                         {3, "containerPort", Kind::kInt},
                         {4, "protocol", Kind::kString}}};
  Message container{{{1, "name", Kind::kString},
                     {2, "image", Kind::kString},
                     {3, "command", Kind::kString, true},
                     {4, "args", Kind::kString, true},
                     {5, "workingDir", Kind::kString},
                     {6, "ports", Kind::kMessage, true, &containerPort},
                     {7, "env", Kind::kMessage, true, &envVar},
                     {8, "resources", Kind::kMessage, false, &empty},
                     {14, "imagePullPolicy", Kind::kString}}};
  Message podSpec{{{2, "containers", Kind::kMessage, true, &container},
                   {3, "restartPolicy", Kind::kString},
                   {8, "serviceAccountName", Kind::kString},
                   {15, "imagePullSecrets", Kind::kMessage, true, &localObjectReference},
                   {20, "initContainers", Kind::kMessage, true, &container}}};
  Message podTemplateSpec{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                           {2, "spec", Kind::kMessage, false, &podSpec}}};
  Message rollingUpdate{
      {{1, "maxUnavailable", Kind::kIntOrString}, {2, "maxSurge", Kind::kIntOrString}}};
  Message strategy{
      {{1, "type", Kind::kString}, {2, "rollingUpdate", Kind::kMessage, false, &rollingUpdate}}};
  Message deploymentSpec{{{1, "replicas", Kind::kInt, false, nullptr, true},
                          {2, "selector", Kind::kMessage, false, &labelSelector},
                          {3, "template", Kind::kMessage, false, &podTemplateSpec},
                          {4, "strategy", Kind::kMessage, false, &strategy},
                          {5, "minReadySeconds", Kind::kInt}}};
  Message deployment{{{1, "metadata", Kind::kMessage, false, &objectMeta},
                      {2, "spec", Kind::kMessage, false, &deploymentSpec},
                      {3, "status", Kind::kMessage, false, &empty}}};
  Message pod{{{1, "metadata", Kind::kMessage, false, &objectMeta},
               {2, "spec", Kind::kMessage, false, &podSpec},
               {3, "status", Kind::kMessage, false, &empty}}};

  const Message* forKind(const std::string& apiVersion, const std::string& kind) const {
    const std::map<std::pair<std::string, std::string>, const Message*> table = {
        {{"v1", "Namespace"}, &namespaceObject},
        {{"v1", "ServiceAccount"}, &serviceAccount},
        {{"v1", "Secret"}, &secret},
        {{"v1", "ConfigMap"}, &configMap},
        {{"v1", "Pod"}, &pod},
        {{"apps/v1", "Deployment"}, &deployment},
        {{"rbac.authorization.k8s.io/v1", "Role"}, &role},
        {{"rbac.authorization.k8s.io/v1", "ClusterRole"}, &role},
        {{"rbac.authorization.k8s.io/v1", "RoleBinding"}, &roleBinding},
        {{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"}, &roleBinding},
        {{"authentication.k8s.io/v1", "TokenRequest"}, &tokenRequest},
        {{"authentication.k8s.io/v1", "SelfSubjectReview"}, &selfSubjectReview},
        {{"authorization.k8s.io/v1", "SelfSubjectAccessReview"}, &accessReview},
        {{"authorization.k8s.io/v1", "SelfSubjectRulesReview"}, &accessReview},
    };
    const auto found = table.find({apiVersion, kind});
    return found == table.end() ? nullptr : found->second;
  }
};

constexpr int kMaxDepth = 32;

tl::expected<json, std::string> decodeMessage(std::string_view bytes, const Message& message,
                                              const std::string& path, int depth);

tl::expected<std::pair<std::string, std::string>, std::string>
decodeMapEntry(std::string_view bytes, const std::string& path) {
  WireReader reader(bytes);
  std::pair<std::string, std::string> entry;
  while (!reader.done()) {
    auto field = reader.next();
    if (!field)
      return tl::unexpected(path + ": " + reader.error());
    if (field->type != WireType::kLengthDelimited)
      continue;
    if (field->number == 1)
      entry.first = field->bytes;
    else if (field->number == 2)
      entry.second = field->bytes;
  }
  return entry;
}

tl::expected<json, std::string> decodeIntOrString(std::string_view bytes, const std::string& path) {
  WireReader reader(bytes);
  std::int64_t type = 0;
  std::int64_t intValue = 0;
  std::string stringValue;
  while (!reader.done()) {
    auto field = reader.next();
    if (!field)
      return tl::unexpected(path + ": " + reader.error());
    if (field->number == 1 && field->type == WireType::kVarint)
      type = static_cast<std::int64_t>(field->varint);
    else if (field->number == 2 && field->type == WireType::kVarint)
      intValue = static_cast<std::int32_t>(field->varint);
    else if (field->number == 3 && field->type == WireType::kLengthDelimited)
      stringValue = field->bytes;
  }
  return type == 1 ? json(stringValue) : json(intValue);
}

std::string timestampFromSeconds(std::int64_t seconds) {
  const std::time_t time = seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

tl::expected<json, std::string> decodeValue(const WireField& wire, const Field& field,
                                            const std::string& path, int depth) {
  const bool delimited = wire.type == WireType::kLengthDelimited;
  const auto wrongType = [&] {
    return tl::unexpected(fmt::format("{}: field {} has wire type {}, which does not fit its type",
                                      path, wire.number, static_cast<int>(wire.type)));
  };
  switch (field.kind) {
  case Kind::kString:
    if (!delimited)
      return wrongType();
    return json(std::string(wire.bytes));
  case Kind::kBytes:
    if (!delimited)
      return wrongType();
    return json(base64Encode(wire.bytes));
  case Kind::kInt:
    if (wire.type != WireType::kVarint)
      return wrongType();
    return json(static_cast<std::int64_t>(wire.varint));
  case Kind::kBool:
    if (wire.type != WireType::kVarint)
      return wrongType();
    return json(wire.varint != 0);
  case Kind::kMessage:
    if (!delimited)
      return wrongType();
    return decodeMessage(wire.bytes, *field.message, path, depth + 1);
  case Kind::kIntOrString:
    if (!delimited)
      return wrongType();
    return decodeIntOrString(wire.bytes, path);
  case Kind::kTime: {
    if (!delimited)
      return wrongType();
    WireReader reader(wire.bytes);
    std::int64_t seconds = 0;
    while (!reader.done()) {
      auto part = reader.next();
      if (!part)
        return tl::unexpected(path + ": " + reader.error());
      if (part->number == 1 && part->type == WireType::kVarint)
        seconds = static_cast<std::int64_t>(part->varint);
    }
    return seconds == 0 ? json() : json(timestampFromSeconds(seconds));
  }
  case Kind::kStringMap:
  case Kind::kBytesMap:
    return wrongType(); // handled by the caller
  }
  return wrongType();
}

bool isEmpty(const json& value, const Field& field) {
  if (value.is_null())
    return true;
  if (field.keepZero)
    return false;
  if (value.is_string())
    return value.get<std::string>().empty();
  if (value.is_number_integer())
    return value.get<std::int64_t>() == 0;
  if (value.is_boolean())
    return !value.get<bool>();
  return false;
}

tl::expected<json, std::string> decodeMessage(std::string_view bytes, const Message& message,
                                              const std::string& path, int depth) {
  if (depth > kMaxDepth)
    return tl::unexpected(path + ": messages nested deeper than 32 levels");
  json object = json::object();
  WireReader reader(bytes);
  while (!reader.done()) {
    auto wire = reader.next();
    if (!wire)
      return tl::unexpected((path.empty() ? std::string("body") : path) + ": " + reader.error());
    const Field* field = nullptr;
    for (const auto& candidate : message.fields) {
      if (candidate.number == wire->number)
        field = &candidate;
    }
    if (field == nullptr)
      continue; // unknown fields are skipped, as protobuf requires
    const std::string fieldPath = path.empty() ? field->name : path + "." + field->name;
    if (field->kind == Kind::kStringMap || field->kind == Kind::kBytesMap) {
      if (wire->type != WireType::kLengthDelimited)
        return tl::unexpected(fieldPath + ": a map entry must be length-delimited");
      auto entry = decodeMapEntry(wire->bytes, fieldPath);
      if (!entry)
        return tl::unexpected(entry.error());
      object[field->name][entry->first] =
          field->kind == Kind::kBytesMap ? base64Encode(entry->second) : entry->second;
      continue;
    }
    auto value = decodeValue(*wire, *field, fieldPath, depth);
    if (!value)
      return value;
    if (field->repeated) {
      object[field->name].push_back(std::move(*value));
    } else if (!isEmpty(*value, *field) && !(value->is_object() && value->empty())) {
      object[field->name] = std::move(*value);
    }
  }
  return object;
}

} // namespace

tl::expected<json, std::string> decodeKubeProtobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (!body.starts_with(kMagic))
    return tl::unexpected(
        std::string("the body does not start with the Kubernetes protobuf magic"));
  WireReader envelope(body.substr(kMagic.size()));
  std::string apiVersion;
  std::string kind;
  std::string_view raw;
  while (!envelope.done()) {
    auto field = envelope.next();
    if (!field)
      return tl::unexpected("envelope: " + envelope.error());
    if (field->type != WireType::kLengthDelimited)
      continue;
    if (field->number == 1) {
      WireReader typeMeta(field->bytes);
      while (!typeMeta.done()) {
        auto part = typeMeta.next();
        if (!part)
          return tl::unexpected("envelope.typeMeta: " + typeMeta.error());
        if (part->type == WireType::kLengthDelimited && part->number == 1)
          apiVersion = part->bytes;
        else if (part->type == WireType::kLengthDelimited && part->number == 2)
          kind = part->bytes;
      }
    } else if (field->number == 2) {
      raw = field->bytes;
    } else if (field->number == 3 && !field->bytes.empty()) {
      return tl::unexpected("envelope.contentEncoding \"" + std::string(field->bytes) +
                            "\" is not supported (expected none)");
    }
  }
  static const Schemas schemas;
  const Message* message = schemas.forKind(apiVersion, kind);
  if (message == nullptr) {
    return tl::unexpected(
        fmt::format("no protobuf decoding for apiVersion \"{}\", kind \"{}\"", apiVersion, kind));
  }
  auto object = decodeMessage(raw, *message, "", 0);
  if (!object)
    return object;
  (*object)["apiVersion"] = apiVersion;
  (*object)["kind"] = kind;
  return object;
}

} // namespace harborrobot::kubesim

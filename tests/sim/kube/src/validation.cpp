#include "validation.h"

#include <map>
#include <regex>
#include <set>

#include "event_conversion.h"
#include "event_validation.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

const std::string kSubdomainRegex =
    R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
const std::string kLabelRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

std::optional<std::string> subdomainProblem(const std::string& name) {
  static const std::regex subdomain(kSubdomainRegex);
  if (name.size() > 253)
    return "must be no more than 253 characters";
  if (!std::regex_match(name, subdomain)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
           "'-' or '.', and must start and end with an alphanumeric character (e.g. "
           "'example.com', regex used for validation is '" +
           kSubdomainRegex + "')";
  }
  return std::nullopt;
}

std::optional<std::string> labelProblem(const std::string& name) {
  static const std::regex label(kLabelRegex);
  if (name.size() > 63)
    return "must be no more than 63 characters";
  if (!std::regex_match(name, label)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
           "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
           "'123-abc', regex used for validation is '" +
           kLabelRegex + "')";
  }
  return std::nullopt;
}

// Roles and bindings only need a valid path segment.
std::optional<std::string> pathSegmentProblem(const std::string& name) {
  if (name == "." || name == "..")
    return "may not be '" + name + "'";
  for (const char* bad : {"/", "%"}) {
    if (name.find(bad) != std::string::npos)
      return std::string("may not contain '") + bad + "'";
  }
  return std::nullopt;
}

const std::regex& qualifiedNamePart() {
  static const std::regex part("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  return part;
}

void validateQualifiedKey(const std::string& key, const std::string& field,
                          std::vector<Cause>& causes) {
  std::string name = key;
  if (const auto slash = key.find('/'); slash != std::string::npos) {
    const std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty() || subdomainProblem(prefix))
      causes.push_back(invalidValue(
          field, key, "prefix part " + subdomainProblem(prefix).value_or("must be non-empty")));
  }
  if (name.empty() || name.size() > 63 || !std::regex_match(name, qualifiedNamePart())) {
    causes.push_back(invalidValue(
        field, key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
  }
}

void validateMetadata(const ResourceType& type, const json& metadata, std::vector<Cause>& causes) {
  const std::string name = metadata.value("name", "");
  if (name.empty()) {
    causes.push_back(requiredValue("metadata.name", "name or generateName is required"));
  } else {
    std::optional<std::string> problem;
    if (type.kind == "Namespace")
      problem = labelProblem(name);
    else if (type.group == "rbac.authorization.k8s.io")
      problem = pathSegmentProblem(name);
    else
      problem = subdomainProblem(name);
    if (problem)
      causes.push_back(invalidValue("metadata.name", name, *problem));
  }
  const json labels = metadata.value("labels", json::object());
  for (const auto& [key, value] : labels.items()) {
    validateQualifiedKey(key, "metadata.labels", causes);
    const std::string text = value.is_string() ? value.get<std::string>() : "";
    static const std::regex labelValue("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    if (text.size() > 63 || !std::regex_match(text, labelValue)) {
      causes.push_back(invalidValue(
          "metadata.labels", text,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
          "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
          "'my_value',  or '12345', regex used for validation is "
          "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
  }
  std::size_t annotationBytes = 0;
  const json annotations = metadata.value("annotations", json::object());
  for (const auto& [key, value] : annotations.items()) {
    validateQualifiedKey(key, "metadata.annotations", causes);
    annotationBytes += key.size() + (value.is_string() ? value.get<std::string>().size() : 0);
  }
  if (annotationBytes > 256 * 1024) {
    causes.push_back(
        {"FieldValueTooLong", "metadata.annotations", "Too long: must have at most 262144 bytes"});
  }
}

bool validDataKey(const std::string& key) {
  static const std::regex shape("[-._a-zA-Z0-9]+");
  return !key.empty() && key.size() <= 253 && std::regex_match(key, shape);
}

void validateSecret(const json& secret, const json& old, std::vector<Cause>& causes) {
  const std::string type = secret.value("type", "Opaque");
  const json data = secret.value("data", json::object());
  std::size_t total = 0;
  for (const auto& [key, value] : data.items()) {
    if (!validDataKey(key)) {
      causes.push_back(invalidValue("data[" + key + "]", key,
                                    "a valid config key must consist of alphanumeric characters, "
                                    "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                    "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
    total += value.is_string() ? value.get<std::string>().size() * 3 / 4 : 0;
  }
  if (total > 1024 * 1024)
    causes.push_back({"FieldValueTooLong", "data", "Too long: must have at most 1048576 bytes"});
  auto decoded = [&](const std::string& key) -> std::optional<std::string> {
    if (!data.contains(key) || !data[key].is_string())
      return std::nullopt;
    auto bytes = base64Decode(data[key].get<std::string>());
    if (!bytes)
      return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
  };
  if (type == "kubernetes.io/dockerconfigjson") {
    if (!data.contains(".dockerconfigjson")) {
      causes.push_back(requiredValue("data[.dockerconfigjson]"));
    } else if (auto text = decoded(".dockerconfigjson"); !text || !json::accept(*text)) {
      causes.push_back(invalidValue("data[.dockerconfigjson]", "<secret contents redacted>",
                                    "invalid character in the JSON document"));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    if (!data.contains(".dockercfg"))
      causes.push_back(requiredValue("data[.dockercfg]"));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!data.contains("username") && !data.contains("password"))
      causes.push_back(requiredValue("data[username]"));
  } else if (type == "kubernetes.io/ssh-auth") {
    if (!data.contains("ssh-privatekey"))
      causes.push_back(requiredValue("data[ssh-privatekey]"));
  } else if (type == "kubernetes.io/tls") {
    if (!data.contains("tls.crt"))
      causes.push_back(requiredValue("data[tls.crt]"));
    if (!data.contains("tls.key"))
      causes.push_back(requiredValue("data[tls.key]"));
  } else if (type == "kubernetes.io/service-account-token") {
    const json annotations = secret["metadata"].value("annotations", json::object());
    if (!annotations.contains("kubernetes.io/service-account.name"))
      causes.push_back(requiredValue("metadata.annotations[kubernetes.io/service-account.name]"));
  }
  if (!old.is_null()) {
    const std::string oldType = old.value("type", "Opaque");
    if (oldType != type)
      causes.push_back(invalidValue("type", type, "field is immutable"));
    if (old.value("immutable", false)) {
      if (old.value("data", json::object()) != data)
        causes.push_back(forbiddenValue("data", "field is immutable when `immutable` is set"));
      if (!secret.value("immutable", false))
        causes.push_back(forbiddenValue("immutable", "field is immutable when `immutable` is set"));
    }
  }
}

void validateConfigMap(const json& configMap, const json& old, std::vector<Cause>& causes) {
  for (const char* field : {"data", "binaryData"}) {
    const json entries = configMap.value(field, json::object());
    for (const auto& [key, value] : entries.items()) {
      if (!validDataKey(key)) {
        causes.push_back(invalidValue(std::string(field) + "[" + key + "]", key,
                                      "a valid config key must consist of alphanumeric "
                                      "characters, '-', '_' or '.'"));
      }
    }
  }
  if (!old.is_null() && old.value("immutable", false)) {
    if (old.value("data", json::object()) != configMap.value("data", json::object()) ||
        old.value("binaryData", json::object()) != configMap.value("binaryData", json::object()))
      causes.push_back(forbiddenValue("data", "field is immutable when `immutable` is set"));
  }
}

std::string goMap(const json& labels) {
  std::string text = "map[string]string{";
  bool first = true;
  for (const auto& [key, value] : labels.items()) {
    text += (first ? "" : ", ") + goQuote(key) + ":" +
            goQuote(value.is_string() ? value.get<std::string>() : value.dump());
    first = false;
  }
  return text + "}";
}

void validateDeployment(const json& deployment, const json& old, std::vector<Cause>& causes) {
  const json spec = deployment.value("spec", json::object());
  const json selector = spec.value("selector", json());
  const json templateLabels = spec.value("template", json::object())
                                  .value("metadata", json::object())
                                  .value("labels", json::object());
  if (!selector.is_object() || selector.empty()) {
    causes.push_back(requiredValue("spec.selector"));
  } else {
    const json matchLabels = selector.value("matchLabels", json::object());
    for (const auto& [key, value] : matchLabels.items()) {
      if (!templateLabels.contains(key) || templateLabels[key] != value) {
        causes.push_back(invalidValue("spec.template.metadata.labels", goMap(templateLabels),
                                      "`selector` does not match template `labels`"));
        break;
      }
    }
  }
  const json containers = spec.value("template", json::object())
                              .value("spec", json::object())
                              .value("containers", json::array());
  if (!containers.is_array() || containers.empty())
    causes.push_back(requiredValue("spec.template.spec.containers"));
  if (spec.contains("replicas") && spec["replicas"].is_number() &&
      spec["replicas"].get<double>() < 0)
    causes.push_back(
        invalidValue("spec.replicas", spec["replicas"], "must be greater than or equal to 0"));
  if (!old.is_null() && old.value("spec", json::object()).value("selector", json()) != selector) {
    causes.push_back(invalidValue("spec.selector", selector.dump(), "field is immutable"));
  }
}

void validatePod(const json& pod, std::vector<Cause>& causes) {
  const json containers = pod.value("spec", json::object()).value("containers", json::array());
  if (!containers.is_array() || containers.empty()) {
    causes.push_back(requiredValue("spec.containers"));
    return;
  }
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const std::string path = "spec.containers[" + std::to_string(i) + "]";
    if (!containers[i].is_object() || containers[i].value("name", "").empty())
      causes.push_back(requiredValue(path + ".name"));
    if (!containers[i].is_object() || containers[i].value("image", "").empty())
      causes.push_back(requiredValue(path + ".image"));
  }
}

void validateRoleBinding(const json& binding, const json& old, std::vector<Cause>& causes) {
  const json roleRef = binding.value("roleRef", json());
  if (!roleRef.is_object() || roleRef.value("name", "").empty())
    causes.push_back(requiredValue("roleRef.name"));
  else if (roleRef.value("kind", "") != "Role" && roleRef.value("kind", "") != "ClusterRole")
    causes.push_back(
        unsupportedValue("roleRef.kind", roleRef.value("kind", ""), {"Role", "ClusterRole"}));
  if (!old.is_null() && old.value("roleRef", json()) != roleRef)
    causes.push_back(invalidValue("roleRef", roleRef.dump(), "cannot change roleRef"));
}

const json& emptyObject() {
  static const json kEmpty = json::object();
  return kEmpty;
}

// Go decoding: which JSON type a field of a built-in kind must have.
std::optional<std::string> wrongType(const json& value, const std::string& expected) {
  const auto actual = [&]() -> std::string {
    if (value.is_string())
      return "string";
    if (value.is_number())
      return "number";
    if (value.is_boolean())
      return "bool";
    if (value.is_array())
      return "array";
    if (value.is_object())
      return "object";
    return "null";
  }();
  if (value.is_null())
    return std::nullopt;
  if (expected == "map"      ? value.is_object()
      : expected == "string" ? value.is_string()
      : expected == "list"   ? value.is_array()
      : expected == "bool"   ? value.is_boolean()
      : expected == "int"    ? value.is_number_integer()
                             : true)
    return std::nullopt;
  return actual;
}

} // namespace

std::string cannotBeHandled(const ResourceType& type, const std::string& why) {
  return type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind +
         ": " + why;
}

std::optional<ApiError> checkDecodable(const ResourceType& type, const json& object) {
  auto fail = [&](const std::string& field, const std::string& actual, const std::string& goType) {
    return badRequest(cannotBeHandled(type, "json: cannot unmarshal " + actual +
                                                " into Go struct field " + field + " of type " +
                                                goType));
  };
  const json& metadata = object.contains("metadata") ? object["metadata"] : emptyObject();
  if (auto actual = wrongType(metadata, "map"))
    return fail(type.kind + ".metadata", *actual, "v1.ObjectMeta");
  for (const char* field : {"name", "namespace", "generateName", "resourceVersion", "uid"}) {
    if (metadata.contains(field)) {
      if (auto actual = wrongType(metadata[field], "string"))
        return fail(std::string("ObjectMeta.metadata.") + field, *actual, "string");
    }
  }
  for (const char* field : {"labels", "annotations"}) {
    if (!metadata.contains(field))
      continue;
    if (auto actual = wrongType(metadata[field], "map"))
      return fail(std::string("ObjectMeta.metadata.") + field, *actual, "map[string]string");
    for (const auto& [key, value] : metadata[field].items()) {
      if (auto actual = wrongType(value, "string"))
        return fail(std::string("ObjectMeta.metadata.") + field, *actual, "string");
    }
  }
  if (metadata.contains("finalizers")) {
    if (auto actual = wrongType(metadata["finalizers"], "list"))
      return fail("ObjectMeta.metadata.finalizers", *actual, "[]string");
  }
  if (type.kind == "Secret" || type.kind == "ConfigMap") {
    const std::vector<std::string> maps = type.kind == "Secret"
                                              ? std::vector<std::string>{"data", "stringData"}
                                              : std::vector<std::string>{"data", "binaryData"};
    for (const auto& field : maps) {
      if (!object.contains(field))
        continue;
      const std::string goType = field == "data" && type.kind == "Secret" ? "[]uint8" : "string";
      if (auto actual = wrongType(object[field], "map"))
        return fail(type.kind + "." + field, *actual, "map[string]" + goType);
      for (const auto& [key, value] : object[field].items()) {
        if (auto actual = wrongType(value, "string"))
          return fail(type.kind + "." + field, *actual, goType);
        if (goType == "[]uint8" || field == "binaryData") {
          if (value.is_string() && !base64Decode(value.get<std::string>()))
            return badRequest(cannotBeHandled(type, "illegal base64 data at input byte 0"));
        }
      }
    }
    if (object.contains("type")) {
      if (auto actual = wrongType(object["type"], "string"))
        return fail("Secret.type", *actual, "v1.SecretType");
    }
    if (object.contains("immutable")) {
      if (auto actual = wrongType(object["immutable"], "bool"))
        return fail(type.kind + ".immutable", *actual, "bool");
    }
  }
  for (const char* field : {"spec", "status"}) {
    if (object.contains(field) && type.kind != "Event") {
      if (auto actual = wrongType(object[field], "map"))
        return fail(type.kind + "." + field, *actual, "v1." + type.kind + "Spec");
    }
  }
  if (type.kind == "ServiceAccount") {
    for (const char* field : {"secrets", "imagePullSecrets"}) {
      if (object.contains(field)) {
        if (auto actual = wrongType(object[field], "list"))
          return fail(std::string("ServiceAccount.") + field, *actual, "[]v1.ObjectReference");
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> unknownBuiltinFields(const ResourceType& type, const json& object) {
  static const std::map<std::string, std::set<std::string>> kTopLevel = {
      {"Secret", {"data", "stringData", "type", "immutable"}},
      {"ConfigMap", {"data", "binaryData", "immutable"}},
      {"ServiceAccount", {"secrets", "imagePullSecrets", "automountServiceAccountToken"}},
      {"Namespace", {"spec", "status"}},
      {"Pod", {"spec", "status"}},
      {"Deployment", {"spec", "status"}},
      {"Lease", {"spec"}},
      {"Role", {"rules"}},
      {"ClusterRole", {"rules", "aggregationRule"}},
      {"RoleBinding", {"subjects", "roleRef"}},
      {"ClusterRoleBinding", {"subjects", "roleRef"}},
      {"CustomResourceDefinition", {"spec", "status"}},
      {"Event",
       {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
        "type", "eventTime", "series", "action", "related", "reportingComponent",
        "reportingInstance"}},
  };
  static const std::set<std::string> kMetadata = {"name",
                                                  "generateName",
                                                  "namespace",
                                                  "selfLink",
                                                  "uid",
                                                  "resourceVersion",
                                                  "generation",
                                                  "creationTimestamp",
                                                  "deletionTimestamp",
                                                  "deletionGracePeriodSeconds",
                                                  "labels",
                                                  "annotations",
                                                  "ownerReferences",
                                                  "finalizers",
                                                  "managedFields"};
  std::vector<std::string> unknown;
  const auto known = kTopLevel.find(type.kind);
  if (known == kTopLevel.end())
    return unknown;
  // events.k8s.io/v1 Event has its own field names (event_conversion.cpp).
  const std::set<std::string>& fields = isEventsV1(type) ? eventsV1Fields() : known->second;
  for (const auto& [key, value] : object.items()) {
    if (key == "apiVersion" || key == "kind" || key == "metadata")
      continue;
    if (!fields.contains(key))
      unknown.push_back(key);
  }
  if (object.contains("metadata") && object["metadata"].is_object()) {
    for (const auto& [key, value] : object["metadata"].items()) {
      if (!kMetadata.contains(key))
        unknown.push_back("metadata." + key);
    }
  }
  return unknown;
}

namespace {

// kubernetes pkg/apis/core/validation/events.go legacyValidateEvent (core/v1
// Events): without eventTime ("old" events) the Event's namespace must equal
// involvedObject.namespace, or be "" or "default" for a cluster-scoped object;
// with eventTime a cluster-scoped object's events live in "default" or
// "kube-system" and reportingComponent, reportingInstance, action and reason
// are required.
void validateCoreEvent(const json& event, std::vector<Cause>& causes) {
  const std::string ns = event.value("metadata", json::object()).value("namespace", "");
  const json involved = event.value("involvedObject", json::object());
  const std::string involvedNamespace =
      involved.is_object() ? involved.value("namespace", "") : std::string();
  const bool eventTimeSet = event.contains("eventTime") && !event["eventTime"].is_null();
  const auto mismatch = [&] {
    causes.push_back(invalidValue("involvedObject.namespace", json(involvedNamespace),
                                  "does not match event.namespace"));
  };
  if (!eventTimeSet) {
    if (involvedNamespace.empty() ? (!ns.empty() && ns != "default") : ns != involvedNamespace)
      mismatch();
    return;
  }
  if (involvedNamespace.empty() && ns != "default" && ns != "kube-system")
    mismatch();
  for (const char* field : {"reportingComponent", "reportingInstance", "action", "reason"}) {
    if (!event.contains(field) || !event[field].is_string() || event[field] == "")
      causes.push_back(requiredValue(field));
  }
}

} // namespace

void validateQualifiedName(const std::string& value, const std::string& field,
                           std::vector<Cause>& causes) {
  validateQualifiedKey(value, field, causes);
}

std::vector<Cause> validateObject(const ResourceType& type, const json& object, const json& old) {
  std::vector<Cause> causes;
  validateMetadata(type, object.value("metadata", json::object()), causes);
  if (type.custom)
    return causes;
  if (type.kind == "Event" && type.group.empty())
    validateCoreEvent(object, causes);
  else if (isEventsV1(type))
    validateEventsV1Event(object, old, causes);
  if (type.kind == "Secret")
    validateSecret(object, old, causes);
  else if (type.kind == "ConfigMap")
    validateConfigMap(object, old, causes);
  else if (type.kind == "Deployment")
    validateDeployment(object, old, causes);
  else if (type.kind == "Pod" && old.is_null())
    validatePod(object, causes);
  else if (type.kind == "RoleBinding" || type.kind == "ClusterRoleBinding")
    validateRoleBinding(object, old, causes);
  return causes;
}

} // namespace harborrobot::kubesim

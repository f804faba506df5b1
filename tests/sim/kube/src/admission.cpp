#include "admission.h"

#include "harborrobot/util/base64.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

// Kinds whose metadata.generation tracks spec changes.
bool usesGeneration(const ResourceType& type) {
  return type.custom || type.kind == "Deployment" || type.kind == "CustomResourceDefinition" ||
         type.kind == "Pod";
}

bool hasStatusSubresource(const ResourceType& type) {
  return type.hasSubresource("status");
}

void foldStringData(json& secret) {
  if (!secret.contains("stringData"))
    return;
  if (secret["stringData"].is_object()) {
    for (const auto& [key, value] : secret["stringData"].items()) {
      if (value.is_string())
        secret["data"][key] = base64Encode(value.get<std::string>());
    }
  }
  secret.erase("stringData");
}

std::string imagePullPolicyFor(const std::string& image) {
  const auto slash = image.rfind('/');
  const std::string last = slash == std::string::npos ? image : image.substr(slash + 1);
  if (last.find('@') != std::string::npos)
    return "IfNotPresent";
  const auto colon = last.find(':');
  if (colon == std::string::npos || last.substr(colon + 1) == "latest")
    return "Always";
  return "IfNotPresent";
}

void defaultPodSpec(json& spec) {
  if (!spec.is_object())
    return;
  if (!spec.contains("restartPolicy"))
    spec["restartPolicy"] = "Always";
  if (!spec.contains("dnsPolicy"))
    spec["dnsPolicy"] = "ClusterFirst";
  if (!spec.contains("schedulerName"))
    spec["schedulerName"] = "default-scheduler";
  if (!spec.contains("terminationGracePeriodSeconds"))
    spec["terminationGracePeriodSeconds"] = 30;
  if (!spec.contains("securityContext"))
    spec["securityContext"] = json::object();
  if (!spec.contains("serviceAccountName"))
    spec["serviceAccountName"] = spec.value("serviceAccount", "default");
  spec["serviceAccount"] = spec["serviceAccountName"];
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array())
      continue;
    for (auto& container : spec[list]) {
      if (!container.is_object())
        continue;
      if (!container.contains("imagePullPolicy"))
        container["imagePullPolicy"] = imagePullPolicyFor(container.value("image", ""));
      if (!container.contains("terminationMessagePath"))
        container["terminationMessagePath"] = "/dev/termination-log";
      if (!container.contains("terminationMessagePolicy"))
        container["terminationMessagePolicy"] = "File";
      if (!container.contains("resources"))
        container["resources"] = json::object();
    }
  }
}

void defaultDeployment(json& deployment) {
  json& spec = deployment["spec"];
  if (!spec.is_object())
    return;
  if (!spec.contains("replicas"))
    spec["replicas"] = 1;
  if (!spec.contains("revisionHistoryLimit"))
    spec["revisionHistoryLimit"] = 10;
  if (!spec.contains("progressDeadlineSeconds"))
    spec["progressDeadlineSeconds"] = 600;
  if (!spec.contains("strategy"))
    spec["strategy"] = {{"type", "RollingUpdate"},
                        {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}};
  if (spec.contains("template") && spec["template"].is_object())
    defaultPodSpec(spec["template"]["spec"]);
}

json specPart(const json& object) {
  json rest = object;
  rest.erase("metadata");
  rest.erase("status");
  return rest;
}

} // namespace

void stampNewObject(const ResourceType& type, json& object, const std::string& uid,
                    const std::string& now) {
  json& metadata = object["metadata"];
  metadata["uid"] = uid;
  metadata["creationTimestamp"] = now;
  metadata.erase("resourceVersion");
  metadata.erase("deletionTimestamp");
  metadata.erase("deletionGracePeriodSeconds");
  metadata.erase("selfLink");
  if (usesGeneration(type))
    metadata["generation"] = 1;
  else
    metadata.erase("generation");
  object["apiVersion"] = type.storageApiVersion();
  object["kind"] = type.kind;
}

void admitCreate(const ResourceType& type, json& object) {
  if (hasStatusSubresource(type) && type.kind != "Namespace")
    object.erase("status");
  if (type.kind == "Secret") {
    foldStringData(object);
    if (!object.contains("type") || object["type"] == "")
      object["type"] = "Opaque";
  } else if (type.kind == "Namespace") {
    const std::string name = object["metadata"]["name"];
    object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
    object["spec"] = {{"finalizers", {"kubernetes"}}};
    object["status"] = {{"phase", "Active"}};
  } else if (type.kind == "Pod") {
    defaultPodSpec(object["spec"]);
    object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  } else if (type.kind == "Deployment") {
    defaultDeployment(object);
  } else if (type.kind == "Event" && type.group.empty()) {
    // Core events only: events.k8s.io/v1 registers no defaulters
    // (kubernetes pkg/apis/events/v1/zz_generated.defaults.go).
    if (!object.contains("count"))
      object["count"] = 1;
    if (!object.contains("type"))
      object["type"] = "Normal";
  }
}

void admitUpdate(const ResourceType& type, const json& old, json& object, bool toStatus) {
  const json& oldMetadata = old["metadata"];
  json& metadata = object["metadata"];
  for (const char* kept : {"uid", "creationTimestamp", "deletionTimestamp",
                           "deletionGracePeriodSeconds", "generation"}) {
    if (oldMetadata.contains(kept))
      metadata[kept] = oldMetadata[kept];
    else
      metadata.erase(kept);
  }
  metadata["name"] = oldMetadata["name"];
  if (oldMetadata.contains("namespace"))
    metadata["namespace"] = oldMetadata["namespace"];
  object["apiVersion"] = type.storageApiVersion();
  object["kind"] = type.kind;
  if (toStatus) {
    // /status changes nothing but status (metadata stays, except that a real
    // apiserver also lets labels and annotations through; keep it strict).
    json status = object.contains("status") ? object["status"] : json();
    object = old;
    if (status.is_null())
      object.erase("status");
    else
      object["status"] = std::move(status);
    return;
  }
  if (hasStatusSubresource(type)) {
    if (old.contains("status"))
      object["status"] = old["status"];
    else
      object.erase("status");
  }
  if (type.kind == "Secret") {
    foldStringData(object);
    if (!object.contains("type"))
      object["type"] = old.value("type", "Opaque");
  }
  if (type.kind == "Namespace") {
    object["spec"] = old.value("spec", json::object());
    object["metadata"]["labels"]["kubernetes.io/metadata.name"] = oldMetadata["name"];
  }
  if (type.kind == "Deployment")
    defaultDeployment(object);
  if (usesGeneration(type) && specPart(old) != specPart(object))
    metadata["generation"] = oldMetadata.value("generation", 1) + 1;
}

} // namespace harborrobot::kubesim

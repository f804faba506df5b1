// Writes: create, update, patch, delete, and what controllers of a real
// cluster do right after them (namespace contents, CRD serving, garbage
// collection), done synchronously here.
#include <set>

#include <fmt/format.h>

#include "admission.h"
#include "api_server.h"
#include "authorizer.h"
#include "crd_schema.h"
#include "event_conversion.h"
#include "harborrobot/util/yaml_json.h"
#include "managed_fields.h"
#include "patch.h"
#include "timestamps.h"
#include "validation.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

std::string mediaTypeOf(const std::string& contentType) {
  std::string type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && type.back() == ' ')
    type.pop_back();
  return type;
}

bool hasFinalizers(const json& object) {
  const json& metadata = object["metadata"];
  return metadata.contains("finalizers") && metadata["finalizers"].is_array() &&
         !metadata["finalizers"].empty();
}

bool beingDeleted(const json& object) {
  return object["metadata"].contains("deletionTimestamp") &&
         !object["metadata"]["deletionTimestamp"].is_null();
}

ApiResult<void> checkMetadataShape(const ResourceType& type, const json& object) {
  if (object.contains("metadata") && !object["metadata"].is_object()) {
    return tl::unexpected(badRequest(cannotBeHandled(
        type, "json: cannot unmarshal " + std::string(object["metadata"].type_name()) +
                  " into Go struct field " + type.kind + ".metadata of type v1.ObjectMeta")));
  }
  return {};
}

} // namespace

ApiResult<json> ApiServer::createObject(Call& call, json object) {
  if (auto shape = checkMetadataShape(call.type, object); !shape)
    return tl::unexpected(shape.error());
  json& metadata = object["metadata"];
  if (metadata.is_null())
    metadata = json::object();
  if (auto fields = checkFields(call, object); !fields)
    return tl::unexpected(fields.error());
  // Written through events.k8s.io/v1, stored as the core/v1 Event.
  if (isEventsV1(call.type))
    object = eventsV1ToCoreEvent(object);
  const std::string& ns = call.target.namespaceName;
  if (call.type.namespaced) {
    const std::string bodyNamespace = object["metadata"].value("namespace", "");
    if (!bodyNamespace.empty() && bodyNamespace != ns) {
      return tl::unexpected(badRequest(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
    object["metadata"]["namespace"] = ns;
  } else {
    object["metadata"].erase("namespace");
  }
  if (object["metadata"].value("name", "").empty() &&
      !object["metadata"].value("generateName", "").empty()) {
    object["metadata"]["name"] =
        object["metadata"]["generateName"].get<std::string>() + randomSuffix();
  }
  admitCreate(call.type, object);
  stampNewObject(call.type, object, newUid(), nowTimestamp());
  if (auto valid = validate(call, object, nullptr, StoreRbacSource(store_)); !valid)
    return tl::unexpected(valid.error());
  if (call.type.kind == "CustomResourceDefinition")
    object = establishCrd(std::move(object));
  recordUpdate(json(), object, call.fieldManager(), call.type.apiVersion(), nowTimestamp());
  return store_.write([&](StoreWriter& writer) { return insert(call, writer, std::move(object)); });
}

ApiResult<json> ApiServer::insert(Call& call, StoreWriter& writer, json object) {
  const std::string ns = object["metadata"].value("namespace", "");
  const std::string name = object["metadata"]["name"];
  if (call.type.namespaced) {
    auto namespaceObject = writer.get("/namespaces", ns);
    if (!namespaceObject)
      return tl::unexpected(notFound("namespaces", ns));
    if (beingDeleted(*namespaceObject) ||
        namespaceObject->value("status", json::object()).value("phase", "") == "Terminating") {
      ApiError error = forbidden(fmt::format(
          "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is "
          "being terminated",
          call.type.qualifiedResource(), name, ns));
      error.status["details"] = {{"name", name}, {"kind", call.type.plural}};
      return tl::unexpected(error);
    }
  }
  if (writer.get(call.type.storageKey(), objectKey(ns, name)))
    return tl::unexpected(alreadyExists(call.type.qualifiedResource(), name));
  if (call.type.kind == "Pod") {
    if (auto admitted = admitPodServiceAccount(writer, object); !admitted)
      return tl::unexpected(admitted.error());
  }
  if (call.dryRun())
    return object;
  if (auto fits = fitsInEtcd(call, object); !fits)
    return tl::unexpected(fits.error());
  json stored = writer.put(call.type.storageKey(), std::move(object));
  if (call.type.kind == "Namespace")
    populateNamespace(writer, name);
  if (call.type.kind == "CustomResourceDefinition")
    onCrdStored(stored);
  return stored;
}

// The ServiceAccount admission plugin: a Pod needs its ServiceAccount to exist,
// and a Pod that names no imagePullSecrets gets the ServiceAccount's. This copy
// at creation is the only place the two lists meet: the kubelet reads the Pod's.
ApiResult<void> ApiServer::admitPodServiceAccount(StoreWriter& writer, json& pod) {
  const std::string ns = pod["metadata"].value("namespace", "");
  json& spec = pod["spec"];
  const std::string accountName = spec.value("serviceAccountName", "default");
  auto account = writer.get("/serviceaccounts", objectKey(ns, accountName));
  if (!account) {
    return tl::unexpected(forbidden(fmt::format(
        "pods \"{}\" is forbidden: error looking up service account {}/{}: serviceaccount "
        "\"{}\" not found",
        pod["metadata"].value("name", ""), ns, accountName, accountName)));
  }
  const json ownSecrets = spec.value("imagePullSecrets", json::array());
  const json accountSecrets = account->value("imagePullSecrets", json::array());
  if ((!ownSecrets.is_array() || ownSecrets.empty()) && accountSecrets.is_array() &&
      !accountSecrets.empty()) {
    spec["imagePullSecrets"] = accountSecrets;
  }
  return {};
}

void ApiServer::bootstrap() {
  const ResourceType namespaces = *registry_.find("", "v1", "namespaces");
  store_.write([&](StoreWriter& writer) {
    for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      if (writer.get(namespaces.storageKey(), name))
        continue;
      json object = {{"metadata", {{"name", name}}}};
      admitCreate(namespaces, object);
      stampNewObject(namespaces, object, newUid(), nowTimestamp());
      writer.put(namespaces.storageKey(), std::move(object));
      populateNamespace(writer, name);
    }
    for (auto& [storageKey, object] : defaultRbacObjects()) {
      const std::string plural = storageKey.substr(storageKey.find('/') + 1);
      const ResourceType type = *registry_.find("rbac.authorization.k8s.io", "v1", plural);
      const std::string name = object["metadata"]["name"];
      if (writer.get(storageKey, name))
        continue;
      stampNewObject(type, object, newUid(), nowTimestamp());
      writer.put(storageKey, std::move(object));
    }
    // A restored snapshot carries the previous run's CA; the kube-root-ca.crt
    // controller would publish the current one.
    for (const auto& namespaceObject : writer.list(namespaces.storageKey())) {
      const std::string name = namespaceObject["metadata"].value("name", "");
      auto rootCa = writer.get("/configmaps", objectKey(name, "kube-root-ca.crt"));
      if (rootCa && (*rootCa)["data"].value("ca.crt", "") != options_.caPem) {
        (*rootCa)["data"]["ca.crt"] = options_.caPem;
        writer.put("/configmaps", std::move(*rootCa));
      }
    }
  });
}

void ApiServer::populateNamespace(StoreWriter& writer, const std::string& namespaceName) {
  const ResourceType serviceAccounts = *registry_.find("", "v1", "serviceaccounts");
  const ResourceType configMaps = *registry_.find("", "v1", "configmaps");
  json account = {{"metadata", {{"name", "default"}, {"namespace", namespaceName}}}};
  stampNewObject(serviceAccounts, account, newUid(), nowTimestamp());
  writer.put(serviceAccounts.storageKey(), std::move(account));
  json rootCa = {{"metadata",
                  {{"name", "kube-root-ca.crt"},
                   {"namespace", namespaceName},
                   {"annotations",
                    {{"kubernetes.io/description",
                      "Contains a CA bundle that can be used to verify the kube-apiserver "
                      "when using internal endpoints such as the internal service IP or "
                      "kubernetes.default.svc. No other usage is guaranteed across "
                      "distributions of Kubernetes clusters."}}}}},
                 {"data", {{"ca.crt", options_.caPem}}}};
  stampNewObject(configMaps, rootCa, newUid(), nowTimestamp());
  writer.put(configMaps.storageKey(), std::move(rootCa));
}

void ApiServer::onCrdStored(const json& crd) {
  registry_.setCustomTypes(crd["metadata"]["name"], typesFromCrd(crd));
}

void ApiServer::onCrdRemoved(StoreWriter& writer, const json& crd) {
  const std::string storageKey = crd["spec"].value("group", "") + "/" +
                                 crd["spec"].value("names", json::object()).value("plural", "");
  for (const auto& object : writer.list(storageKey)) {
    writer.erase(storageKey, objectKey(object["metadata"].value("namespace", ""),
                                       object["metadata"].value("name", "")));
  }
  registry_.removeCustomTypes(crd["metadata"]["name"]);
}

ApiResult<json> ApiServer::updateObject(Call& call, json object) {
  if (auto shape = checkMetadataShape(call.type, object); !shape)
    return tl::unexpected(shape.error());
  const std::string bodyName = object["metadata"].value("name", "");
  if (bodyName != call.target.name) {
    return tl::unexpected(badRequest(
        fmt::format("the name of the object ({}) does not match the name on the URL ({})", bodyName,
                    call.target.name)));
  }
  if (auto fields = checkFields(call, object); !fields)
    return tl::unexpected(fields.error());
  if (isEventsV1(call.type))
    object = eventsV1ToCoreEvent(object);
  return store_.write([&](StoreWriter& writer) -> ApiResult<json> {
    auto old =
        writer.get(call.type.storageKey(), objectKey(call.target.namespaceName, call.target.name));
    if (!old)
      return tl::unexpected(notFound(call.type.qualifiedResource(), call.target.name));
    const std::string wanted = object["metadata"].value("resourceVersion", "");
    if (wanted.empty() && call.type.custom) {
      return tl::unexpected(invalid(call.type.qualifiedKind(), call.target.name, call.type.group,
                                    call.type.kind,
                                    {invalidValue("metadata.resourceVersion", json("0x0"),
                                                  "must be specified for an update")}));
    }
    return commitUpdate(call, writer, *old, std::move(object), call.target.subresource == "status");
  });
}

ApiResult<json> ApiServer::commitUpdate(Call& call, StoreWriter& writer, const json& old,
                                        json candidate, bool toStatus) {
  const std::string wanted = candidate["metadata"].value("resourceVersion", "");
  if (!wanted.empty() && wanted != old["metadata"].value("resourceVersion", ""))
    return tl::unexpected(staleResourceVersion(call.type.qualifiedResource(), call.target.name));
  admitUpdate(call.type, old, candidate, toStatus);
  if (auto valid = validate(call, candidate, old, WriterRbacSource(writer)); !valid)
    return tl::unexpected(valid.error());
  if (beingDeleted(old)) {
    // Finalizers may only be removed from an object that is being deleted.
    const json before = old["metadata"].value("finalizers", json::array());
    const json after = candidate["metadata"].value("finalizers", json::array());
    for (const auto& finalizer : after) {
      if (std::find(before.begin(), before.end(), finalizer) == before.end()) {
        return tl::unexpected(invalid(
            call.type.qualifiedKind(), call.target.name, call.type.group, call.type.kind,
            {forbiddenValue("metadata.finalizers",
                            "no new finalizers can be added if the object is being deleted, "
                            "found new finalizers []string{" +
                                finalizer.dump() + "}")}));
      }
    }
  }
  // An apply recorded its fields in serverSideApply; only other writes take
  // ownership of what they changed (apiserver fieldmanager: Apply vs Update).
  if (mediaTypeOf(call.request.contentType) != "application/apply-patch+yaml")
    recordUpdate(old, candidate, call.fieldManager(), call.type.apiVersion(), nowTimestamp());
  json unchangedProbe = candidate;
  unchangedProbe["metadata"]["resourceVersion"] = old["metadata"].value("resourceVersion", "");
  if (unchangedProbe == old || call.dryRun()) {
    // A no-op write keeps its resourceVersion and emits no event, as etcd3's
    // GuaranteedUpdate does.
    return unchangedProbe;
  }
  if (beingDeleted(candidate) && !hasFinalizers(candidate)) {
    auto removed = writer.erase(call.type.storageKey(),
                                objectKey(call.target.namespaceName, call.target.name));
    collectGarbage(writer, old["metadata"].value("uid", ""), false);
    return removed ? *removed : candidate;
  }
  if (auto fits = fitsInEtcd(call, candidate); !fits)
    return tl::unexpected(fits.error());
  json stored = writer.put(call.type.storageKey(), std::move(candidate));
  if (call.type.kind == "CustomResourceDefinition")
    onCrdStored(stored);
  return stored;
}

ApiResult<void> ApiServer::fitsInEtcd(const Call& call, const json& object) const {
  // etcd refuses a request over --max-request-bytes (1.5 MiB by default,
  // etcd server/embed/config.go DefaultMaxRequestBytes) with
  // rpctypes.ErrRequestTooLarge; the apiserver passes it on as a 500 Status
  // with no reason ("apiserver received an error that is not an
  // metav1.Status", kubernetes#74600, #112152). The request is the key
  // (/registry/<resource>/<namespace>/<name>) plus the stored value.
  if (options_.etcdMaxRequestBytes == 0)
    return {};
  const std::string key = "/registry/" + call.type.storageKey() + "/" +
                          object["metadata"].value("namespace", "") + "/" +
                          object["metadata"].value("name", "");
  if (key.size() + toJsonText(object).size() <= options_.etcdMaxRequestBytes)
    return {};
  ApiError error = statusError(500, "", "etcdserver: request is too large");
  error.status.erase("reason");
  return tl::unexpected(error);
}

ApiResult<json> ApiServer::patchObject(Call& call, int& status) {
  const std::string type = mediaTypeOf(call.request.contentType);
  const bool apply = type == "application/apply-patch+yaml";
  static const std::string kCustomTypes =
      "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
  if (type != "application/merge-patch+json" && type != "application/json-patch+json" &&
      type != "application/strategic-merge-patch+json" && !apply) {
    return tl::unexpected(unsupportedMediaType(
        call.request.contentType, kCustomTypes + ", application/strategic-merge-patch+json"));
  }
  if (type == "application/strategic-merge-patch+json" && call.type.custom)
    return tl::unexpected(unsupportedMediaType(call.request.contentType, kCustomTypes));
  json patch;
  if (apply) {
    auto parsed = yamlToJson(call.request.body);
    if (!parsed)
      return tl::unexpected(badRequest("error decoding YAML: " + parsed.error().message()));
    patch = std::move(*parsed);
    if (call.fieldManager().empty()) {
      // apiserver endpoints/handlers/patch.go: ValidatePatchOptions errors are
      // errors.NewInvalid(PatchOptions.meta.k8s.io, ""), a 422
      // (apimachinery meta/v1/validation ValidatePatchOptions).
      return tl::unexpected(
          invalid("PatchOptions.meta.k8s.io", "", "meta.k8s.io", "PatchOptions",
                  {requiredValue("fieldManager", "is required for apply patch")}));
    }
  } else {
    patch = json::parse(call.request.body, nullptr, false);
    if (patch.is_discarded())
      return tl::unexpected(badRequest("error decoding patch: the patch is not valid JSON"));
  }
  const bool force = queryFlag(call.query, "force");
  return store_.write([&](StoreWriter& writer) -> ApiResult<json> {
    auto old =
        writer.get(call.type.storageKey(), objectKey(call.target.namespaceName, call.target.name));
    if (!old && apply && call.target.subresource.empty()) {
      if (!patch.is_object())
        return tl::unexpected(badRequest("an apply patch must be an object"));
      json object = patch;
      if (auto fields = checkFields(call, object); !fields)
        return tl::unexpected(fields.error());
      object["metadata"]["name"] = call.target.name;
      if (call.type.namespaced)
        object["metadata"]["namespace"] = call.target.namespaceName;
      // The field manager works on the versioned object as sent; defaulting
      // and the v1→internal conversion that folds a Secret's stringData into
      // data come after it, so an applier of stringData owns stringData.*
      // only (apiserver endpoints/handlers/patch.go applyPatcher, then
      // pkg/apis/core/v1/conversion.go Convert_v1_Secret_To_core_Secret).
      // The strategy's reset fields (status, with a status subresource) are
      // never owned through the main resource (fieldmanager resetFields).
      if (call.type.hasSubresource("status") && call.type.kind != "Namespace")
        object.erase("status");
      auto applied = serverSideApply(json(), object, call.fieldManager(), force,
                                     call.type.apiVersion(), nowTimestamp());
      if (!applied)
        return applied;
      if (isEventsV1(call.type))
        *applied = eventsV1ToCoreEvent(*applied);
      admitCreate(call.type, *applied);
      stampNewObject(call.type, *applied, newUid(), nowTimestamp());
      if (auto valid = validate(call, *applied, nullptr, WriterRbacSource(writer)); !valid)
        return tl::unexpected(valid.error());
      // The apiextensions controller establishes a CRD however it was created.
      if (call.type.kind == "CustomResourceDefinition")
        *applied = establishCrd(std::move(*applied));
      status = 201;
      return insert(call, writer, std::move(*applied));
    }
    if (!old)
      return tl::unexpected(notFound(call.type.qualifiedResource(), call.target.name));
    // A patch through events.k8s.io/v1 applies to the Event as that group
    // shows it, and the result is stored converted back.
    const bool view = isEventsV1(call.type);
    const json base = view ? coreEventToEventsV1(*old) : *old;
    ApiResult<json> patched;
    if (apply) {
      if (!patch.is_object())
        return tl::unexpected(badRequest("an apply patch must be an object"));
      json applied = patch;
      if (auto fields = checkFields(call, applied); !fields)
        return tl::unexpected(fields.error());
      patched = serverSideApply(base, applied, call.fieldManager(), force, call.type.apiVersion(),
                                nowTimestamp());
    } else if (type == "application/merge-patch+json") {
      patched = applyMergePatch(base, patch);
    } else if (type == "application/json-patch+json") {
      patched = applyJsonPatch(base, patch);
    } else {
      patched = applyStrategicMergePatch(call.type.kind, base, patch);
    }
    if (!patched)
      return patched;
    if (!patched->is_object() || !(*patched)["metadata"].is_object())
      return tl::unexpected(badRequest("the patch removed the object's metadata"));
    if (!apply) {
      if (auto fields = checkFields(call, *patched); !fields)
        return tl::unexpected(fields.error());
    }
    if (view)
      *patched = eventsV1ToCoreEvent(*patched);
    // A resourceVersion in the patch is a precondition; otherwise the patch
    // applies to whatever is current.
    if (!(*patched)["metadata"].contains("resourceVersion") ||
        (*patched)["metadata"]["resourceVersion"] ==
            old->at("metadata").value("resourceVersion", ""))
      (*patched)["metadata"]["resourceVersion"] = old->at("metadata").value("resourceVersion", "");
    return commitUpdate(call, writer, *old, std::move(*patched),
                        call.target.subresource == "status");
  });
}

namespace {

struct DeleteOptions {
  std::string propagationPolicy = "Background";
  bool dryRun = false;
  std::string preconditionUid;
  std::string preconditionResourceVersion;
};

ApiResult<DeleteOptions> deleteOptionsFrom(const std::string& body,
                                           const std::map<std::string, std::string>& query) {
  DeleteOptions options;
  if (const auto found = query.find("propagationPolicy"); found != query.end())
    options.propagationPolicy = found->second;
  if (const auto found = query.find("dryRun"); found != query.end())
    options.dryRun = found->second == "All";
  if (!body.empty()) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
      return tl::unexpected(badRequest("the DeleteOptions body is not a JSON object"));
    if (parsed.contains("propagationPolicy") && parsed["propagationPolicy"].is_string())
      options.propagationPolicy = parsed["propagationPolicy"];
    if (parsed.contains("dryRun") && parsed["dryRun"].is_array()) {
      for (const auto& mode : parsed["dryRun"])
        options.dryRun = options.dryRun || mode == "All";
    }
    const json preconditions = parsed.value("preconditions", json::object());
    if (preconditions.is_object()) {
      if (preconditions.contains("uid") && preconditions["uid"].is_string())
        options.preconditionUid = preconditions["uid"];
      if (preconditions.contains("resourceVersion") && preconditions["resourceVersion"].is_string())
        options.preconditionResourceVersion = preconditions["resourceVersion"];
    }
  }
  if (options.propagationPolicy != "Background" && options.propagationPolicy != "Foreground" &&
      options.propagationPolicy != "Orphan") {
    return tl::unexpected(statusError(
        422, "Invalid",
        "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"" +
            options.propagationPolicy +
            "\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""));
  }
  return options;
}

} // namespace

ApiResult<json> ApiServer::deleteObject(Call& call) {
  auto options = deleteOptionsFrom(call.request.body, call.query);
  if (!options)
    return tl::unexpected(options.error());
  const std::string key = objectKey(call.target.namespaceName, call.target.name);
  return store_.write([&](StoreWriter& writer) -> ApiResult<json> {
    auto old = writer.get(call.type.storageKey(), key);
    if (!old)
      return tl::unexpected(notFound(call.type.qualifiedResource(), call.target.name));
    const json& metadata = old->at("metadata");
    if (!options->preconditionUid.empty() &&
        options->preconditionUid != metadata.value("uid", "")) {
      return tl::unexpected(conflict(
          call.type.qualifiedResource(), call.target.name,
          fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: {}",
                      options->preconditionUid, metadata.value("uid", ""))));
    }
    if (!options->preconditionResourceVersion.empty() &&
        options->preconditionResourceVersion != metadata.value("resourceVersion", "")) {
      return tl::unexpected(
          conflict(call.type.qualifiedResource(), call.target.name,
                   fmt::format("Precondition failed: ResourceVersion in precondition: {}, "
                               "ResourceVersion in object meta: {}",
                               options->preconditionResourceVersion,
                               metadata.value("resourceVersion", ""))));
    }
    if (options->dryRun)
      return *old;
    if (call.type.kind == "Namespace") {
      json terminating = *old;
      terminating["metadata"]["deletionTimestamp"] = nowTimestamp();
      terminating["status"]["phase"] = "Terminating";
      writer.put(call.type.storageKey(), terminating);
      // The namespace controller empties it and drops the "kubernetes" finalizer.
      removeNamespaceContents(writer, call.target.name);
      if (hasFinalizers(terminating))
        return writer.get(call.type.storageKey(), key).value_or(terminating);
      writer.erase(call.type.storageKey(), key);
      return terminating;
    }
    if (hasFinalizers(*old)) {
      if (beingDeleted(*old))
        return *old;
      json marked = *old;
      // apiserver registry/generic/registry/store.go markAsDeleting: an object
      // with a generation gets it bumped as deletionTimestamp is set, so
      // controllers see the deletion as a new generation.
      if (const auto generation = marked["metadata"].value("generation", std::int64_t{0});
          generation > 0)
        marked["metadata"]["generation"] = generation + 1;
      marked["metadata"]["deletionTimestamp"] = nowTimestamp();
      marked["metadata"]["deletionGracePeriodSeconds"] = 0;
      return writer.put(call.type.storageKey(), std::move(marked));
    }
    auto removed = writer.erase(call.type.storageKey(), key);
    if (call.type.kind == "CustomResourceDefinition")
      onCrdRemoved(writer, *removed);
    collectGarbage(writer, metadata.value("uid", ""), options->propagationPolicy == "Orphan");
    if (call.type.returnsDeletedObject)
      return *removed;
    return successStatus(call.type.plural, call.type.group, call.target.name,
                         metadata.value("uid", ""));
  });
}

ApiResult<json> ApiServer::deleteCollection(Call& call) {
  Call listCall = call;
  auto listed = listObjects(listCall);
  if (!listed)
    return listed;
  json deleted = json::array();
  for (const auto& object : (*listed)["items"]) {
    Call itemCall = call;
    itemCall.target.name = object["metadata"].value("name", "");
    itemCall.target.namespaceName = object["metadata"].value("namespace", "");
    auto result = deleteObject(itemCall);
    if (result && result->value("kind", "") != "Status")
      deleted.push_back(*result);
  }
  return json{{"kind", call.type.kind + "List"},
              {"apiVersion", call.type.apiVersion()},
              {"metadata", json::object()},
              {"items", deleted}};
}

void ApiServer::removeNamespaceContents(StoreWriter& writer, const std::string& namespaceName) {
  std::set<std::string> visited; // versions of one resource share storage
  for (const auto& type : registry_.all()) {
    if (!type.namespaced || !visited.insert(type.storageKey()).second)
      continue;
    for (const auto& object : writer.list(type.storageKey())) {
      if (object["metadata"].value("namespace", "") == namespaceName)
        writer.erase(type.storageKey(),
                     objectKey(namespaceName, object["metadata"].value("name", "")));
    }
  }
  if (auto namespaceObject = writer.get("/namespaces", namespaceName)) {
    (*namespaceObject)["spec"]["finalizers"] = json::array();
    writer.put("/namespaces", std::move(*namespaceObject));
  }
}

void ApiServer::collectGarbage(StoreWriter& writer, const std::string& ownerUid, bool orphan) {
  if (ownerUid.empty())
    return;
  std::vector<std::pair<std::string, json>> dependents;
  for (const auto& type : registry_.all()) {
    for (const auto& object : writer.list(type.storageKey())) {
      const json refs = object["metadata"].value("ownerReferences", json::array());
      if (!refs.is_array())
        continue;
      for (const auto& ref : refs) {
        if (ref.is_object() && ref.value("uid", "") == ownerUid) {
          dependents.emplace_back(type.storageKey(), object);
          break;
        }
      }
    }
  }
  for (auto& [storageKey, object] : dependents) {
    const std::string key =
        objectKey(object["metadata"].value("namespace", ""), object["metadata"].value("name", ""));
    if (!writer.get(storageKey, key))
      continue; // a type listed twice (several versions) or already collected
    json refs = object["metadata"]["ownerReferences"];
    refs.erase(std::remove_if(refs.begin(), refs.end(),
                              [&](const json& ref) { return ref.value("uid", "") == ownerUid; }),
               refs.end());
    if (orphan || !refs.empty()) {
      if (refs.empty())
        object["metadata"].erase("ownerReferences");
      else
        object["metadata"]["ownerReferences"] = refs;
      writer.put(storageKey, std::move(object));
      continue;
    }
    const std::string uid = object["metadata"].value("uid", "");
    writer.erase(storageKey, key);
    collectGarbage(writer, uid, false);
  }
}

} // namespace harborrobot::kubesim

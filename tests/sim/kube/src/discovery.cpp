#include "discovery.h"

#include <algorithm>

#include "openapi_v2.h"

namespace harborrobot::kubesim {

using nlohmann::json;

json versionInfo() {
  // Minor "32" keeps the gcloud kubectl dispatcher on its built-in v1.32
  // client (kubectl-traces.md, section 0).
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.4"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2026-01-01T00:00:00Z"},
          {"goVersion", "go1.23.8"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json coreApiVersions(const std::string& serverAddress) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serverAddress}}}}};
}

namespace {

json groupEntry(const std::string& group, const std::vector<std::string>& versions) {
  json list = json::array();
  for (const auto& version : versions)
    list.push_back({{"groupVersion", group + "/" + version}, {"version", version}});
  return {{"name", group}, {"versions", list}, {"preferredVersion", list.front()}};
}

} // namespace

json apiGroupList(const TypeRegistry& registry) {
  json groups = json::array();
  for (const auto& [group, versions] : registry.groupVersions()) {
    if (!group.empty())
      groups.push_back(groupEntry(group, versions));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> apiGroup(const TypeRegistry& registry, const std::string& group) {
  const auto groups = registry.groupVersions();
  const auto found = groups.find(group);
  if (group.empty() || found == groups.end())
    return std::nullopt;
  json entry = groupEntry(group, found->second);
  entry["kind"] = "APIGroup";
  entry["apiVersion"] = "v1";
  return entry;
}

std::optional<json> apiResourceList(const TypeRegistry& registry, const std::string& group,
                                    const std::string& version) {
  json resources = json::array();
  for (const auto& type : registry.all()) {
    if (type.group != group || type.version != version)
      continue;
    json entry = {{"name", type.plural},
                  {"singularName", type.singular},
                  {"namespaced", type.namespaced},
                  {"kind", type.kind},
                  {"verbs", type.verbs}};
    if (!type.shortNames.empty())
      entry["shortNames"] = type.shortNames;
    if (!type.categories.empty())
      entry["categories"] = type.categories;
    resources.push_back(entry);
    for (const auto& subresource : type.subresources) {
      json sub = {{"name", type.plural + "/" + subresource},
                  {"singularName", ""},
                  {"namespaced", type.namespaced},
                  {"kind", type.kind},
                  {"verbs", {"get", "patch", "update"}}};
      if (subresource == "token") {
        sub["group"] = "authentication.k8s.io";
        sub["version"] = "v1";
        sub["kind"] = "TokenRequest";
        sub["verbs"] = {"create"};
      } else if (subresource == "finalize") {
        sub["verbs"] = {"update"};
      }
      resources.push_back(sub);
    }
  }
  if (resources.empty())
    return std::nullopt;
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group.empty() ? version : group + "/" + version},
              {"resources", resources}};
}

bool acceptsAggregatedDiscovery(const std::string& accept) {
  // Only the first choice counts: kubectl lists v2, then v2beta1, then plain JSON.
  const std::string first = accept.substr(0, accept.find(','));
  return first.find("g=apidiscovery.k8s.io") != std::string::npos &&
         first.find("v=v2;") != std::string::npos &&
         first.find("as=APIGroupDiscoveryList") != std::string::npos;
}

json aggregatedDiscovery(const TypeRegistry& registry, bool core) {
  json items = json::array();
  const auto types = registry.all();
  for (const auto& [group, versions] : registry.groupVersions()) {
    if (group.empty() != core)
      continue;
    json versionEntries = json::array();
    for (const auto& version : versions) {
      json resources = json::array();
      for (const auto& type : types) {
        if (type.group != group || type.version != version)
          continue;
        json resource = {{"resource", type.plural},
                         {"responseKind",
                          {{"group", type.group}, {"version", type.version}, {"kind", type.kind}}},
                         {"scope", type.namespaced ? "Namespaced" : "Cluster"},
                         {"singularResource", type.singular},
                         {"verbs", type.verbs}};
        if (!type.shortNames.empty())
          resource["shortNames"] = type.shortNames;
        if (!type.categories.empty())
          resource["categories"] = type.categories;
        json subresources = json::array();
        for (const auto& name : type.subresources) {
          json sub = {{"subresource", name},
                      {"responseKind",
                       {{"group", type.group}, {"version", type.version}, {"kind", type.kind}}},
                      {"verbs", {"get", "patch", "update"}}};
          if (name == "token") {
            sub["responseKind"] = {
                {"group", "authentication.k8s.io"}, {"version", "v1"}, {"kind", "TokenRequest"}};
            sub["verbs"] = {"create"};
          } else if (name == "finalize") {
            sub["verbs"] = {"update"};
          }
          subresources.push_back(sub);
        }
        if (!subresources.empty())
          resource["subresources"] = subresources;
        resources.push_back(resource);
      }
      versionEntries.push_back(
          {{"version", version}, {"resources", resources}, {"freshness", "Current"}});
    }
    json metadata = {{"creationTimestamp", nullptr}};
    if (!core)
      metadata["name"] = group;
    items.push_back({{"metadata", metadata}, {"versions", versionEntries}});
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/v2"},
          {"metadata", json::object()},
          {"items", items}};
}

namespace {

std::string documentKey(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

} // namespace

json openApiIndex(const TypeRegistry& registry) {
  json paths = json::object();
  const std::string hash = registry.generation();
  for (const auto& [group, versions] : registry.groupVersions()) {
    for (const auto& version : versions) {
      const std::string key = documentKey(group, version);
      paths[key] = {{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash}};
    }
  }
  return {{"paths", paths}};
}

std::optional<json> openApiDocument(const TypeRegistry& registry, const std::string& group,
                                    const std::string& version) {
  json paths = json::object();
  json schemas = json::object();
  for (const auto& type : registry.all()) {
    if (type.group != group || type.version != version)
      continue;
    const std::string prefix = "/" + documentKey(group, version) +
                               (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural;
    const json gvk = {{"group", group}, {"version", version}, {"kind", type.kind}};
    const json parameters = {
        {{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
        {{"name", "fieldManager"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
        {{"name", "dryRun"}, {"in", "query"}, {"schema", {{"type", "string"}}}}};
    const json operation = {{"x-kubernetes-group-version-kind", gvk},
                            {"parameters", parameters},
                            {"responses", {{"200", {{"description", "OK"}}}}}};
    paths[prefix + "/{name}"] = {{"patch", operation}, {"put", operation}};
    paths[prefix] = {{"post", operation}};
    // Custom resources get their CRD's schema; built-in kinds only those the
    // simulator describes with the apiserver's patch extensions (openapi_v2.cpp),
    // added below: a shallow schema would override kubectl's compiled-in
    // patch metadata (merge keys).
    if (type.custom && type.schema.is_object()) {
      json schema = type.schema;
      schema["x-kubernetes-group-version-kind"] = json::array({gvk});
      schemas[group + "." + version + "." + type.kind] = std::move(schema);
    }
  }
  if (paths.empty())
    return std::nullopt;
  if (group.empty() && version == "v1") {
    json builtins = toOpenApiV3Schemas(builtinOpenApiDefinitions());
    for (auto& [name, schema] : builtins.items())
      schemas[name] = std::move(schema);
  }
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.4"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}};
}

} // namespace harborrobot::kubesim

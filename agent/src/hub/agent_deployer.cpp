#include "agent_deployer.h"

#include <fmt/format.h>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/json_text.h"
#include "hub_certificates.h"

namespace harborrobot::agent::hub {

namespace {

using wire::kAgentName;
using wire::kTemplateHashAnnotation;
constexpr auto kRecheck = std::chrono::minutes(10);

kube::Json labels() {
  return {{wire::kNameLabel, kAgentName}, {wire::kManagedByLabel, wire::kManagedByValue}};
}

kube::Json metadata(const std::string& name, const std::string& ns) {
  return {{"name", name}, {"namespace", ns}, {"labels", labels()}};
}

kube::Json deploymentFor(const std::string& ns, const AgentTemplate& config) {
  const std::string hubUrl =
      fmt::format("https://{}.{}.svc:8443", config.hubService, config.hubNamespace);
  kube::Json fieldEnv = kube::Json::array(
      {{{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
       {{"name", "POD_NAMESPACE"},
        {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
       {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}});
  for (const auto& [name, value] : config.env) {
    fieldEnv.push_back({{"name", name}, {"value", value}});
  }
  kube::Json container = {
      {"name", "agent"},
      {"image", config.image},
      {"args", {"namespace", "--hub-url", hubUrl, "--health-listen", "$(POD_IP):8080"}},
      {"env", fieldEnv},
      {"ports", {{{"name", "health"}, {"containerPort", 8080}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/readyz"}, {"port", "health"}}}, {"periodSeconds", 2}}},
      {"livenessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", "health"}}},
        {"periodSeconds", 10},
        {"failureThreshold", 6}}},
      {"resources",
       {{"requests", {{"cpu", "5m"}, {"memory", "16Mi"}}}, {"limits", {{"memory", "64Mi"}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"runAsUser", 65532},
        {"capabilities", {{"drop", {"ALL"}}}}}},
      {"volumeMounts",
       {{{"name", "hub-token"},
         {"mountPath", "/var/run/harborrobot/hub-token"},
         {"readOnly", true}},
        {{"name", "hub-ca"}, {"mountPath", "/var/run/harborrobot/hub-ca"}, {"readOnly", true}}}}};
  kube::Json podSpec = {{"serviceAccountName", kAgentName},
                        {"containers", {container}},
                        {"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                        {"volumes",
                         {{{"name", "hub-token"},
                           {"projected",
                            {{"sources",
                              {{{"serviceAccountToken",
                                 {{"audience", "harborrobot-hub"},
                                  {"expirationSeconds", 3600},
                                  {"path", "token"}}}}}}}}},
                          {{"name", "hub-ca"}, {"configMap", {{"name", kHubCaName}}}}}}};
  kube::Json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", metadata(std::string(kAgentName), ns)},
      {"spec",
       {{"replicas", 1},
        {"selector", {{"matchLabels", {{wire::kNameLabel, kAgentName}}}}},
        {"template", {{"metadata", {{"labels", labels()}}}, {"spec", podSpec}}}}}};
  deployment["metadata"]["annotations"][std::string(kTemplateHashAnnotation)] =
      sha256Hex(jsonText(deployment["spec"])).substr(0, 16);
  return deployment;
}

// Creates `desired`, or replaces it when what exists differs in `compare`.
Status apply(kube::Client& client, const kube::ResourceType& type, const std::string& ns,
             kube::Json desired, const std::function<bool(const kube::Json&)>& upToDate) {
  const std::string name = desired["metadata"]["name"];
  auto current = client.get(type, ns, name);
  if (!current) {
    if (current.error().code() != ErrorCode::kNotFound) {
      return makeError(current.error());
    }
    auto created = client.create(type, ns, desired);
    return created || created.error().code() == ErrorCode::kAlreadyExists
               ? ok()
               : makeError(created.error());
  }
  if (upToDate(*current)) {
    return ok();
  }
  desired["metadata"]["resourceVersion"] =
      current->value("/metadata/resourceVersion"_json_pointer, std::string());
  auto updated = client.update(type, ns, desired);
  return updated ? ok() : makeError(updated.error());
}

} // namespace

AgentDeployer::AgentDeployer(kube::Client& client, AgentTemplate config, const Logger& logger)
    : client_(client), config_(std::move(config)), logger_(logger) {}

Status AgentDeployer::ensure(const std::string& ns) {
  const std::string name(kAgentName);
  if (auto done = apply(client_, kube::resources::serviceAccounts(), ns,
                        {{"apiVersion", "v1"},
                         {"kind", "ServiceAccount"},
                         {"metadata", metadata(name, ns)},
                         {"automountServiceAccountToken", true}},
                        [](const kube::Json&) { return true; });
      !done) {
    return done;
  }
  const kube::Json roleBinding = {
      {"apiVersion", "rbac.authorization.k8s.io/v1"},
      {"kind", "RoleBinding"},
      {"metadata", metadata(name, ns)},
      {"roleRef",
       {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", name}}},
      {"subjects", {{{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}}}}};
  if (auto done = apply(client_, kube::resources::roleBindings(), ns, roleBinding,
                        [&](const kube::Json& current) {
                          return current.value("subjects", kube::Json()) == roleBinding["subjects"];
                        });
      !done) {
    return done;
  }
  const kube::Json caMap = {{"apiVersion", "v1"},
                            {"kind", "ConfigMap"},
                            {"metadata", metadata(std::string(kHubCaName), ns)},
                            {"data", {{"ca.crt", config_.caCertificate}}}};
  if (auto done = apply(client_, kube::resources::configMaps(), ns, caMap,
                        [&](const kube::Json& current) {
                          return current.value("data", kube::Json()) == caMap["data"];
                        });
      !done) {
    return done;
  }
  const kube::Json deployment = deploymentFor(ns, config_);
  return apply(client_, kube::resources::deployments(), ns, deployment,
               [&](const kube::Json& current) {
                 return stringField(objectField(objectField(current, "metadata"), "annotations"),
                                    kTemplateHashAnnotation) ==
                        deployment["metadata"]["annotations"][std::string(kTemplateHashAnnotation)];
               });
}

Status AgentDeployer::remove(const std::string& ns) {
  const std::string name(kAgentName);
  for (const auto* type : {&kube::resources::deployments(), &kube::resources::roleBindings(),
                           &kube::resources::serviceAccounts()}) {
    if (auto removed = client_.remove(*type, ns, name); !removed) {
      return removed;
    }
  }
  // The per-agent ClusterRoleBindings of earlier versions are removed by
  // `kubectl harborrobot install`: the hub may not delete ClusterRoleBindings.
  return client_.remove(kube::resources::configMaps(), ns, kHubCaName);
}

Status AgentDeployer::sync(const std::set<std::string>& namespaces,
                           const std::function<bool(const std::string&)>& mayRemove) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(ensuredAt_, [&](const auto& entry) { return !namespaces.contains(entry.first); });
  for (const auto& ns : namespaces) {
    const auto checked = ensuredAt_.find(ns);
    if (checked != ensuredAt_.end() && now - checked->second < kRecheck) {
      continue;
    }
    if (auto done = ensure(ns); !done) {
      return makeError(done.error().code(),
                       fmt::format("agent in {}: {}", ns, done.error().message()));
    }
    ensuredAt_[ns] = now;
  }
  kube::ListOptions options;
  options.labelSelector = wire::managedSelector(kAgentName);
  // By name as well: RBAC lets the hub list Deployments of that one name only
  // (resourceNames cover a list that selects metadata.name).
  options.fieldSelector = fmt::format("metadata.name={}", kAgentName);
  auto existing = client_.list(kube::resources::deployments(), "", options);
  if (!existing) {
    return makeError(existing.error());
  }
  for (const auto& deployment : existing->value("items", kube::Json::array())) {
    const std::string ns = deployment.value("/metadata/namespace"_json_pointer, std::string());
    if (!namespaces.contains(ns) && mayRemove(ns)) {
      if (auto removed = remove(ns); !removed) {
        return removed;
      }
      logger_.info("agent removed: no binding targets the namespace", {{"namespace", ns}});
    }
  }
  return ok();
}

} // namespace harborrobot::agent::hub

#include "harborrobot/install/agent_objects.h"

#include <fmt/format.h>

#include "harborrobot/install/pod_parts.h"
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::install {

namespace {

using Json = nlohmann::json;
using wire::kAgentName;

Json labels() {
  return {{wire::kNameLabel, kAgentName}, {wire::kManagedByLabel, wire::kManagedByValue}};
}

Json deployment(const std::string& ns, const AgentTemplate& agent) {
  Json env = downwardApiEnv();
  for (const auto& [name, value] : agent.env) {
    env.push_back({{"name", name}, {"value", value}});
  }
  Json container = {
      {"name", "agent"},
      {"image", agent.image},
      {"args",
       {"namespace", "--hub-url", wire::hubApiUrl(agent.hubService, agent.hubNamespace),
        "--health-listen", fmt::format("$(POD_IP):{}", wire::kHealthPort)}},
      {"env", env},
      {"ports", {{{"name", "health"}, {"containerPort", wire::kHealthPort}}}},
      // Measured from the image (agent_footprint_bench.py): about 16 MiB.
      {"resources",
       {{"requests", {{"cpu", "5m"}, {"memory", "16Mi"}}}, {"limits", {{"memory", "64Mi"}}}}},
      {"securityContext", restrictedContainerSecurityContext()},
      {"volumeMounts",
       {{{"name", "hub-token"},
         {"mountPath", "/var/run/harborrobot/hub-token"},
         {"readOnly", true}},
        {{"name", "hub-ca"}, {"mountPath", "/var/run/harborrobot/hub-ca"}, {"readOnly", true}}}}};
  addHealthProbes(container);
  // The token the agent shows the hub: projected for the hub's audience, so it
  // is worth nothing to the Kubernetes API, and short-lived.
  const Json hubToken = {
      {"serviceAccountToken",
       {{"audience", wire::kHubTokenAudience}, {"expirationSeconds", 3600}, {"path", "token"}}}};
  const Json podSpec = {{"serviceAccountName", kAgentName},
                        {"containers", {container}},
                        {"securityContext", restrictedPodSecurityContext()},
                        {"volumes",
                         {{{"name", "hub-token"}, {"projected", {{"sources", {hubToken}}}}},
                          {{"name", "hub-ca"}, {"configMap", {{"name", wire::kHubCaName}}}}}}};
  Json result = {{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", objectMeta(kAgentName, ns, labels())},
                 {"spec",
                  {{"replicas", 1},
                   {"selector", {{"matchLabels", {{wire::kNameLabel, kAgentName}}}}},
                   {"template", {{"metadata", {{"labels", labels()}}}, {"spec", podSpec}}}}}};
  result["metadata"]["annotations"][std::string(wire::kTemplateHashAnnotation)] =
      sha256Hex(jsonText(result["spec"])).substr(0, 16);
  return result;
}

std::string templateHash(const Json& object) {
  return stringField(objectField(objectField(object, "metadata"), "annotations"),
                     wire::kTemplateHashAnnotation);
}

} // namespace

std::vector<Json> agentObjects(const std::string& ns, const AgentTemplate& agent) {
  return {
      {{"apiVersion", "v1"},
       {"kind", "ServiceAccount"},
       {"metadata", objectMeta(kAgentName, ns, labels())},
       {"automountServiceAccountToken", true}},
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", objectMeta(kAgentName, ns, labels())},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kAgentName}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", kAgentName}, {"namespace", ns}}}}},
      {{"apiVersion", "v1"},
       {"kind", "ConfigMap"},
       {"metadata", objectMeta(wire::kHubCaName, ns, labels())},
       {"data", {{"ca.crt", agent.caCertificate}}}},
      deployment(ns, agent)};
}

bool agentObjectCurrent(const Json& current, const Json& desired) {
  const std::string kind = stringField(desired, "kind");
  if (kind == "RoleBinding") {
    return current.value("subjects", Json()) == desired.value("subjects", Json());
  }
  if (kind == "ConfigMap") {
    return current.value("data", Json()) == desired.value("data", Json());
  }
  if (kind == "Deployment") {
    return templateHash(current) == templateHash(desired);
  }
  return true;
}

} // namespace harborrobot::install

// The install objects, built as JSON so that options (agents mode, image) change
// exactly the fields they own.
#include "install_manifests.h"

#include "harborrobot/util/yaml_json.h"

namespace harborrobot::cli {

namespace {

using Json = nlohmann::json;

Json labels() {
  return {{"app.kubernetes.io/name", "harborrobot"},
          {"app.kubernetes.io/managed-by", "kubectl-harborrobot"},
          {"app.kubernetes.io/version", HARBORROBOT_VERSION}};
}

Json meta(std::string_view name, std::string_view ns = {}) {
  Json metadata = {{"name", name}, {"labels", labels()}};
  if (!ns.empty()) {
    metadata["namespace"] = ns;
  }
  return metadata;
}

Json rule(std::string_view group, std::vector<std::string> resources,
          std::vector<std::string> verbs) {
  return {{"apiGroups", {group}}, {"resources", resources}, {"verbs", verbs}};
}

const std::vector<std::string> kReadWrite = {"get", "list", "watch", "create", "update", "delete"};

Json hubClusterRole(const InstallOptions& options) {
  constexpr std::string_view kGroup = "harbor-robot-gen.alaudadevops.alauda.io";
  Json rules = Json::array({
      rule(kGroup, {"harborrobotbindings"}, {"get", "list", "watch", "update", "patch"}),
      rule(kGroup, {"harborrobotbindings/status"}, {"get", "update", "patch"}),
      rule("", {"namespaces"}, {"get", "list", "watch"}),
      rule("", {"events"}, {"create", "patch"}),
      rule("authentication.k8s.io", {"tokenreviews"}, {"create"}),
      // The harborrobot-signal ConfigMap in each target namespace, which tells
      // its agent that its bindings changed (and, when managed, the hub CA).
      rule("", {"configmaps"}, kReadWrite),
  });
  if (options.agents == "managed") {
    // Managed agents: their Deployment, ServiceAccount and the binding to the
    // agent role, which the hub may bind but not widen.
    rules.push_back(rule("apps", {"deployments"}, kReadWrite));
    rules.push_back(rule("", {"serviceaccounts"}, kReadWrite));
    rules.push_back(rule("rbac.authorization.k8s.io", {"rolebindings"}, kReadWrite));
    // Only to remove the per-agent ClusterRoleBindings of earlier versions.
    rules.push_back(rule("rbac.authorization.k8s.io", {"clusterrolebindings"}, {"delete"}));
    Json bind = rule("rbac.authorization.k8s.io", {"clusterroles"}, {"bind"});
    bind["resourceNames"] = {"harborrobot-agent"};
    rules.push_back(bind);
  }
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata", meta(kHubName)},
          {"rules", rules}};
}

Json hubDeployment(const InstallOptions& options) {
  const Json selector = {{"app.kubernetes.io/name", kHubName}};
  Json podLabels = selector;
  podLabels["app.kubernetes.io/part-of"] = "harborrobot";
  const Json env = Json::array(
      {{{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
       {{"name", "POD_NAMESPACE"},
        {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
       {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}});
  const Json container = {
      {"name", "hub"},
      {"image", options.image},
      {"args",
       {"hub", "--api-listen", "$(POD_IP):8443", "--health-listen", "$(POD_IP):8080", "--agents",
        options.agents, "--agent-image", options.image}},
      {"env", env},
      {"ports",
       {{{"name", "api"}, {"containerPort", 8443}}, {{"name", "health"}, {"containerPort", 8080}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/readyz"}, {"port", "health"}}}, {"periodSeconds", 2}}},
      {"livenessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", "health"}}},
        {"periodSeconds", 10},
        {"failureThreshold", 6}}},
      {"resources",
       {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}, {"limits", {{"memory", "256Mi"}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"capabilities", {{"drop", {"ALL"}}}}}}};
  const Json podSpec = {{"serviceAccountName", kHubName},
                        {"securityContext",
                         {{"runAsNonRoot", true},
                          {"runAsUser", 65532},
                          {"runAsGroup", 65532},
                          {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                        // Two replicas on two nodes where the cluster has them: one node's loss
                        // must not take both.
                        {"affinity",
                         {{"podAntiAffinity",
                           {{"preferredDuringSchedulingIgnoredDuringExecution",
                             {{{"weight", 100},
                               {"podAffinityTerm",
                                {{"topologyKey", "kubernetes.io/hostname"},
                                 {"labelSelector", {{"matchLabels", selector}}}}}}}}}}}},
                        {"containers", {container}}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", meta(kHubName, kSystemNamespace)},
          {"spec",
           {{"replicas", options.replicas},
            {"selector", {{"matchLabels", selector}}},
            {"template", {{"metadata", {{"labels", podLabels}}}, {"spec", podSpec}}}}}};
}

} // namespace

Result<std::vector<Json>> installObjects(const InstallOptions& options) {
  if (options.agents != "managed" && options.agents != "external") {
    return makeError(
        fieldError("--agents", options.agents, "is not a mode", "managed or external"));
  }
  if (options.image.empty() || options.image.find_first_of(" \t\n") != std::string::npos) {
    return makeError(fieldError("--image", options.image, "is not an image reference",
                                "registry/repository[:tag]"));
  }
  auto crd = yamlToJson(embeddedCrdYaml());
  if (!crd) {
    return makeError(crd.error().withContext("the embedded CRD"));
  }
  const Json hubSubject = {
      {"kind", "ServiceAccount"}, {"name", kHubName}, {"namespace", kSystemNamespace}};
  std::vector<Json> objects;
  objects.push_back(
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", meta(kSystemNamespace)}});
  objects.push_back(std::move(*crd));
  objects.push_back({{"apiVersion", "v1"},
                     {"kind", "ServiceAccount"},
                     {"metadata", meta(kHubName, kSystemNamespace)}});
  objects.push_back(hubClusterRole(options));
  // What an agent may do in its own namespace (bound there, per namespace).
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRole"},
       {"metadata", meta("harborrobot-agent")},
       {"rules",
        {rule("", {"secrets"}, {"get", "list", "watch", "create", "update", "patch", "delete"}),
         rule("", {"serviceaccounts"}, {"get", "list", "watch", "update", "patch"}),
         // The hub's harborrobot-signal and CA ConfigMaps: read only.
         rule("", {"configmaps"}, {"get", "list", "watch"}),
         rule("", {"events"}, {"create", "patch"})}}});
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRoleBinding"},
       {"metadata", meta(kHubName)},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kHubName}}},
       {"subjects", {hubSubject}}});
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "Role"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"rules",
        {rule("", {"secrets", "configmaps"}, {"get", "list", "watch", "create", "update", "patch"}),
         rule("coordination.k8s.io", {"leases"}, {"get", "create", "update"}),
         rule("", {"pods"}, {"get", "patch"})}}});
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", kHubName}}},
       {"subjects", {hubSubject}}});
  objects.push_back(hubDeployment(options));
  objects.push_back({{"apiVersion", "policy/v1"},
                     {"kind", "PodDisruptionBudget"},
                     {"metadata", meta(kHubName, kSystemNamespace)},
                     {"spec",
                      {{"minAvailable", 1},
                       {"selector", {{"matchLabels", {{"app.kubernetes.io/name", kHubName}}}}}}}});
  // Only the leader carries harborrobot.io/hub-leader: agents always reach the
  // replica that acts.
  objects.push_back(
      {{"apiVersion", "v1"},
       {"kind", "Service"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"spec",
        {{"selector",
          {{"app.kubernetes.io/name", kHubName}, {"harborrobot.io/hub-leader", "true"}}},
         {"ports", {{{"name", "api"}, {"port", 8443}, {"targetPort", "api"}}}}}}});
  return objects;
}

} // namespace harborrobot::cli

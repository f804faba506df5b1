// The install objects, built as JSON so that options (agents mode, image) change
// exactly the fields they own.
#include "harborrobot/install/cluster_objects.h"

#include <tuple>

#include <fmt/format.h>

#include "harborrobot/install/pod_parts.h"

namespace harborrobot::install {

using wire::kAgentName;
using wire::kAgentSignalName;
using wire::kHubCaName;
using wire::kHubName;
using wire::kSystemNamespace;

namespace {

using Json = nlohmann::json;

Json labels() {
  return {{wire::kNameLabel, "harborrobot"},
          {wire::kManagedByLabel, wire::kInstalledByValue},
          {wire::kVersionLabel, HARBORROBOT_VERSION}};
}

Json meta(std::string_view name, std::string_view ns = {}) {
  return objectMeta(name, ns, labels());
}

Json rule(std::string_view group, std::vector<std::string> resources,
          std::vector<std::string> verbs, std::vector<std::string> names = {}) {
  Json result = {{"apiGroups", {group}}, {"resources", resources}, {"verbs", verbs}};
  if (!names.empty()) {
    result["resourceNames"] = names;
  }
  return result;
}

// What the hub does to an object of a name it owns. A list or watch that selects
// that name (fieldSelector metadata.name=X) is authorized as a request for it,
// so resourceNames narrow those too; `create` cannot be narrowed by name.
const std::vector<std::string> kOwnedVerbs = {"get", "list", "watch", "update", "patch", "delete"};

Json hubClusterRole(const InstallOptions& options) {
  constexpr std::string_view kGroup = "harbor-robot-gen.alaudadevops.alauda.io";
  const bool managed = options.agents == "managed";
  // The harborrobot-signal ConfigMap in each target namespace tells its agent
  // that its bindings changed; managed agents also get the hub CA there.
  std::vector<std::string> configMaps = {std::string(kAgentSignalName)};
  if (managed) {
    configMaps.emplace_back(kHubCaName);
  }
  Json rules = Json::array({
      rule(kGroup, {"harborrobotbindings"}, {"get", "list", "watch", "update", "patch"}),
      rule(kGroup, {"harborrobotbindings/status"}, {"get", "update", "patch"}),
      // Each namespace's record: the hub alone writes them.
      rule(kGroup, {"harborrobotcredentials"},
           {"get", "list", "watch", "create", "update", "patch", "delete"}),
      rule("", {"namespaces"}, {"get", "list", "watch"}),
      rule("", {"events"}, {"create", "patch"}),
      rule("authentication.k8s.io", {"tokenreviews"}, {"create"}),
      rule("", {"configmaps"}, {"create"}),
      rule("", {"configmaps"}, kOwnedVerbs, configMaps),
  });
  if (managed) {
    // Managed agents: their Deployment, ServiceAccount and the binding to the
    // agent role, which the hub may bind but not widen. External mode has none
    // of these: the hub cannot create a Deployment at all.
    for (const auto& [group, resource] :
         {std::pair<std::string, std::string>{"apps", "deployments"},
          {"", "serviceaccounts"},
          {"rbac.authorization.k8s.io", "rolebindings"}}) {
      rules.push_back(rule(group, {resource}, {"create"}));
      rules.push_back(rule(group, {resource}, kOwnedVerbs, {std::string(kAgentName)}));
    }
    rules.push_back(
        rule("rbac.authorization.k8s.io", {"clusterroles"}, {"bind"}, {std::string(kAgentName)}));
  }
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata", meta(kHubName)},
          {"rules", rules}};
}

// The hub in its own namespace: connection Secrets (named by the admin, so not
// narrowable) and its CA, its Lease, and the label on its own Pod.
Json hubRole() {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "Role"},
          {"metadata", meta(kHubName, kSystemNamespace)},
          {"rules",
           {rule("", {"secrets"}, {"get", "list", "watch", "create"}),
            rule("", {"configmaps"}, {"create"}),
            rule("", {"configmaps"}, {"get", "update", "patch"}, {std::string(kHubCaName)}),
            rule("coordination.k8s.io", {"leases"}, {"create"}),
            rule("coordination.k8s.io", {"leases"}, {"get", "update"}, {std::string(kHubName)}),
            rule("", {"pods"}, {"get", "patch"})}}};
}

// What an agent may do in its own namespace (bound there, per namespace): the
// pull Secrets and ServiceAccounts its bindings name (any name a binding may
// give), events, and read of its one signal ConfigMap.
Json agentClusterRole() {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata", meta(kAgentName)},
          {"rules",
           {rule("", {"secrets"}, {"get", "list", "watch", "create", "update", "delete"}),
            rule("", {"serviceaccounts"}, {"get", "list", "watch", "update", "patch"}),
            rule("", {"configmaps"}, {"get", "list", "watch"}, {std::string(kAgentSignalName)}),
            rule("", {"events"}, {"create", "patch"})}}};
}

// Only agent Pods reach the hub API; the health port stays open to probes.
Json hubNetworkPolicy() {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", meta(kHubName, kSystemNamespace)},
          {"spec",
           {{"podSelector", {{"matchLabels", {{wire::kNameLabel, kHubName}}}}},
            {"policyTypes", {"Ingress"}},
            {"ingress",
             {{{"from",
                {{{"namespaceSelector", Json::object()},
                  {"podSelector", {{"matchLabels", {{wire::kNameLabel, kAgentName}}}}}}}},
               {"ports", {{{"protocol", "TCP"}, {"port", wire::kHubApiPort}}}}},
              {{"ports", {{{"protocol", "TCP"}, {"port", wire::kHealthPort}}}}}}}}}};
}

Json hubArgs(const InstallOptions& options) {
  Json args = {"hub",
               "--api-listen",
               fmt::format("$(POD_IP):{}", wire::kHubApiPort),
               "--health-listen",
               fmt::format("$(POD_IP):{}", wire::kHealthPort),
               "--agents",
               options.agents,
               "--agent-image",
               options.image};
  if (!options.allowNamespaces.empty()) {
    std::string names;
    for (const auto& name : options.allowNamespaces) {
      names += (names.empty() ? "" : ",") + name;
    }
    args.push_back("--allow-namespaces");
    args.push_back(names);
  }
  return args;
}

Json hubDeployment(const InstallOptions& options) {
  const Json selector = {{wire::kNameLabel, kHubName}};
  Json podLabels = selector;
  podLabels[std::string(wire::kPartOfLabel)] = "harborrobot";
  Json container = {
      {"name", "hub"},
      {"image", options.image},
      {"args", hubArgs(options)},
      {"env", downwardApiEnv()},
      {"ports",
       {{{"name", "api"}, {"containerPort", wire::kHubApiPort}},
        {{"name", "health"}, {"containerPort", wire::kHealthPort}}}},
      // Measured (release build, hub_load_bench.py): the leader's RSS is about
      // 92 MiB at 1,000 namespaces × 10 bindings and 145 MiB at 10,000
      // namespaces; the limit leaves twice that.
      {"resources",
       {{"requests", {{"cpu", "50m"}, {"memory", "128Mi"}}}, {"limits", {{"memory", "320Mi"}}}}},
      {"securityContext", restrictedContainerSecurityContext()}};
  addHealthProbes(container);
  const Json podSpec = {{"serviceAccountName", kHubName},
                        {"securityContext", restrictedPodSecurityContext()},
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

Result<std::vector<Json>> installObjects(const InstallOptions& options, std::vector<Json> crds) {
  if (options.agents != "managed" && options.agents != "external") {
    return makeError(
        fieldError("--agents", options.agents, "is not a mode", "managed or external"));
  }
  for (const auto& name : options.allowNamespaces) {
    if (name != "kube-system" && name != "kube-public" && name != "kube-node-lease" &&
        name != kSystemNamespace) {
      return makeError(fieldError(
          "--allow-namespaces", name, "is not a protected namespace",
          fmt::format("kube-system, kube-public, kube-node-lease or {}", kSystemNamespace)));
    }
  }
  if (options.image.empty() || options.image.find_first_of(" \t\n") != std::string::npos) {
    return makeError(fieldError("--image", options.image, "is not an image reference",
                                "registry/repository[:tag]"));
  }
  const Json hubSubject = {
      {"kind", "ServiceAccount"}, {"name", kHubName}, {"namespace", kSystemNamespace}};
  std::vector<Json> objects;
  objects.push_back(
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", meta(kSystemNamespace)}});
  for (auto& crd : crds) {
    objects.push_back(std::move(crd));
  }
  objects.push_back({{"apiVersion", "v1"},
                     {"kind", "ServiceAccount"},
                     {"metadata", meta(kHubName, kSystemNamespace)}});
  objects.push_back(hubClusterRole(options));
  objects.push_back(agentClusterRole());
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRoleBinding"},
       {"metadata", meta(kHubName)},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kHubName}}},
       {"subjects", {hubSubject}}});
  objects.push_back(hubRole());
  objects.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", kHubName}}},
       {"subjects", {hubSubject}}});
  objects.push_back(hubDeployment(options));
  objects.push_back(
      {{"apiVersion", "policy/v1"},
       {"kind", "PodDisruptionBudget"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"spec",
        {{"minAvailable", 1}, {"selector", {{"matchLabels", {{wire::kNameLabel, kHubName}}}}}}}});
  // Only the leader carries harborrobot.io/hub-leader: agents always reach the
  // replica that acts.
  objects.push_back(
      {{"apiVersion", "v1"},
       {"kind", "Service"},
       {"metadata", meta(kHubName, kSystemNamespace)},
       {"spec",
        {{"selector", {{wire::kNameLabel, kHubName}, {wire::kHubLeaderLabel, "true"}}},
         {"ports", {{{"name", "api"}, {"port", wire::kHubApiPort}, {"targetPort", "api"}}}}}}});
  objects.push_back(hubNetworkPolicy());
  return objects;
}

namespace {

std::string joined(const Json& values) {
  std::string text;
  for (const auto& value : values) {
    const std::string item = value.get<std::string>();
    text += (text.empty() ? "" : ", ") + (item.empty() ? std::string("core") : item);
  }
  return text;
}

} // namespace

std::string rbacTable(const std::vector<Json>& objects) {
  // Who holds each role: the install's own bindings, and the agent role that the
  // hub (managed) or you (external) bind in each target namespace.
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> holders;
  for (const auto& object : objects) {
    const std::string kind = object.value("kind", "");
    if (kind != "ClusterRoleBinding" && kind != "RoleBinding") {
      continue;
    }
    const auto& subject = object["subjects"][0];
    const std::string ns = object["metadata"].value("namespace", "");
    const std::string subjectName = subject.value("name", "");
    holders.emplace_back(subjectName == kHubName ? "hub" : subjectName,
                         kind == "ClusterRoleBinding" ? "cluster-wide" : ns,
                         object["roleRef"].value("kind", ""), object["roleRef"].value("name", ""));
  }
  holders.emplace_back("agent", "its own namespace", "ClusterRole", std::string(kAgentName));
  std::string table = "| Who | Where | API group | Resource | Names | Verbs |\n"
                      "|---|---|---|---|---|---|\n";
  for (const auto& [who, where, roleKind, roleName] : holders) {
    for (const auto& object : objects) {
      if (object.value("kind", "") != roleKind ||
          object["metadata"].value("name", "") != roleName) {
        continue;
      }
      for (const auto& entry : object["rules"]) {
        const std::string names =
            entry.contains("resourceNames") ? joined(entry["resourceNames"]) : "any";
        table +=
            fmt::format("| {} | {} | {} | {} | {} | {} |\n", who, where, joined(entry["apiGroups"]),
                        joined(entry["resources"]), names, joined(entry["verbs"]));
      }
    }
  }
  return table;
}

} // namespace harborrobot::install

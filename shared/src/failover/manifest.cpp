// Renders the failover watchdog's manifests with yaml-cpp's emitter, so scripts
// of any content come out as correctly quoted literal blocks.
#include "harborrobot/failover/manifest.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::failover {

namespace {

constexpr std::string_view kScriptDir = "/scripts";

void metadata(YAML::Emitter& out, const std::string& name, const std::string* ns,
              const std::string& app) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  if (ns != nullptr) {
    out << YAML::Key << "namespace" << YAML::Value << *ns;
  }
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key
      << std::string(wire::kNameLabel) << YAML::Value << app << YAML::Key
      << std::string(wire::kManagedByLabel) << YAML::Value << std::string(wire::kManagedByValue)
      << YAML::EndMap;
  out << YAML::EndMap;
}

void rule(YAML::Emitter& out, const std::string& group, const std::string& resource,
          std::initializer_list<const char*> verbs) {
  out << YAML::BeginMap << YAML::Key << "apiGroups" << YAML::Value << YAML::Flow << YAML::BeginSeq
      << group << YAML::EndSeq << YAML::Key << "resources" << YAML::Value << YAML::Flow
      << YAML::BeginSeq << resource << YAML::EndSeq << YAML::Key << "verbs" << YAML::Value
      << YAML::Flow << YAML::BeginSeq;
  for (const char* verb : verbs) {
    out << verb;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

std::string withNewline(std::string text) {
  if (text.empty() || text.back() != '\n') {
    text += '\n';
  }
  return text;
}

} // namespace

Result<std::string> renderFailoverManifest(const ManifestInput& input) {
  if (auto status = validateDnsLabel(input.ns, "--namespace"); !status) {
    return makeError(status.error());
  }
  if (auto status = validateDnsLabel(input.name, "--name"); !status) {
    return makeError(status.error());
  }
  if (input.image.empty()) {
    return makeError(fieldErrorWithoutValue("--image", "is required",
                                            "the harborrobot-agent image, e.g. "
                                            "registry.example.com/harborrobot/agent:0.1.0"));
  }
  const std::string config = fmt::format(
      "condition_check_script: {0}/check.sh\nstart_script: {0}/start.sh\nstop_script: "
      "{0}/stop.sh\nstatus_script: {0}/status.sh\ncheck_interval: {1}\nfailure_threshold: "
      "{2}\nscript_timeout: {3}\n",
      kScriptDir, input.checkInterval, input.failureThreshold, input.scriptTimeout);
  if (auto parsed = parseFailoverConfig(config); !parsed) {
    return makeError(parsed.error());
  }
  const std::string app = input.name;
  const std::string role = input.name + "-clusterrole";

  YAML::Emitter out;
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ServiceAccount";
  metadata(out, input.name, &input.ns, app);
  out << YAML::Key << "automountServiceAccountToken" << YAML::Value << true;
  out << YAML::EndMap;

  // The DR guide's permissions for Harbor operations; the operator's own scripts may
  // need more (database, object storage), which they add here.
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "rbac.authorization.k8s.io/v1";
  out << YAML::Key << "kind" << YAML::Value << "ClusterRole";
  metadata(out, role, nullptr, app);
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  rule(out, "operator.alaudadevops.io", "harbors", {"get", "list", "watch", "update", "patch"});
  rule(out, "", "pods", {"get", "list", "watch"});
  rule(out, "", "pods/exec", {"create"});
  // The watchdog reports its decisions as Events on its own Pod.
  rule(out, "", "events", {"create", "patch"});
  out << YAML::EndSeq << YAML::EndMap;

  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "rbac.authorization.k8s.io/v1";
  out << YAML::Key << "kind" << YAML::Value << "ClusterRoleBinding";
  metadata(out, input.name + "-clusterrolebinding", nullptr, app);
  out << YAML::Key << "roleRef" << YAML::Value << YAML::BeginMap << YAML::Key << "apiGroup"
      << YAML::Value << "rbac.authorization.k8s.io" << YAML::Key << "kind" << YAML::Value
      << "ClusterRole" << YAML::Key << "name" << YAML::Value << role << YAML::EndMap;
  out << YAML::Key << "subjects" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "kind" << YAML::Value << "ServiceAccount" << YAML::Key << "name" << YAML::Value
      << input.name << YAML::Key << "namespace" << YAML::Value << input.ns << YAML::EndMap
      << YAML::EndSeq;
  out << YAML::EndMap;

  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  metadata(out, input.name + "-config", &input.ns, app);
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, text] :
       {std::pair{"check.sh", &input.conditionScript}, std::pair{"config.yaml", &config},
        std::pair{"start.sh", &input.startScript}, std::pair{"status.sh", &input.statusScript},
        std::pair{"stop.sh", &input.stopScript}}) {
    out << YAML::Key << key << YAML::Value << YAML::Literal << withNewline(*text);
  }
  out << YAML::EndMap << YAML::EndMap;

  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "apps/v1";
  out << YAML::Key << "kind" << YAML::Value << "Deployment";
  metadata(out, input.name, &input.ns, app);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  // One replica: two watchdogs would race each other's start and stop scripts.
  out << YAML::Key << "replicas" << YAML::Value << 1;
  out << YAML::Key << "strategy" << YAML::Value << YAML::BeginMap << YAML::Key << "type"
      << YAML::Value << "Recreate" << YAML::EndMap;
  out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels"
      << YAML::Value << YAML::BeginMap << YAML::Key << std::string(wire::kNameLabel) << YAML::Value
      << app << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "template" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "labels"
      << YAML::Value << YAML::BeginMap << YAML::Key << std::string(wire::kNameLabel) << YAML::Value
      << app << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "serviceAccountName" << YAML::Value << input.name;
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "controller";
  out << YAML::Key << "image" << YAML::Value << input.image;
  out << YAML::Key << "args" << YAML::Value << YAML::Flow << YAML::BeginSeq << "failover"
      << "--config"
      << "/opt/config/config.yaml"
      << "--listen"
      << "0.0.0.0:8080" << YAML::EndSeq;
  // The downward API names the Pod that the watchdog's Events are about.
  out << YAML::Key << "env" << YAML::Value << YAML::BeginSeq;
  for (const auto& [variable, fieldPath] :
       {std::pair{"POD_NAME", "metadata.name"}, std::pair{"POD_NAMESPACE", "metadata.namespace"},
        std::pair{"POD_UID", "metadata.uid"}}) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << variable << YAML::Key
        << "valueFrom" << YAML::Value << YAML::BeginMap << YAML::Key << "fieldRef" << YAML::Value
        << YAML::BeginMap << YAML::Key << "fieldPath" << YAML::Value << fieldPath << YAML::EndMap
        << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "http" << YAML::Key << "containerPort" << YAML::Value << 8080
      << YAML::EndMap << YAML::EndSeq;
  for (const auto& [probe, path] :
       {std::pair{"livenessProbe", "/healthz"}, std::pair{"readinessProbe", "/readyz"}}) {
    out << YAML::Key << probe << YAML::Value << YAML::BeginMap << YAML::Key << "httpGet"
        << YAML::Value << YAML::BeginMap << YAML::Key << "path" << YAML::Value << path << YAML::Key
        << "port" << YAML::Value << "http" << YAML::EndMap << YAML::Key << "periodSeconds"
        << YAML::Value << 10 << YAML::EndMap;
  }
  out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap << YAML::Key << "limits"
      << YAML::Value << YAML::BeginMap << YAML::Key << "cpu" << YAML::Value << "500m" << YAML::Key
      << "memory" << YAML::Value << "512Mi" << YAML::EndMap << YAML::Key << "requests"
      << YAML::Value << YAML::BeginMap << YAML::Key << "cpu" << YAML::Value << "100m" << YAML::Key
      << "memory" << YAML::Value << "128Mi" << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "securityContext" << YAML::Value << YAML::BeginMap << YAML::Key
      << "allowPrivilegeEscalation" << YAML::Value << false << YAML::Key << "readOnlyRootFilesystem"
      << YAML::Value << true << YAML::Key << "runAsNonRoot" << YAML::Value << true << YAML::Key
      << "capabilities" << YAML::Value << YAML::BeginMap << YAML::Key << "drop" << YAML::Value
      << YAML::Flow << YAML::BeginSeq << "ALL" << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "config" << YAML::Key
      << "mountPath" << YAML::Value << "/opt/config" << YAML::Key << "readOnly" << YAML::Value
      << true << YAML::EndMap;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "scripts" << YAML::Key
      << "mountPath" << YAML::Value << std::string(kScriptDir) << YAML::Key << "readOnly"
      << YAML::Value << true << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "config" << YAML::Key
      << "configMap" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value
      << input.name + "-config" << YAML::Key << "items" << YAML::Value << YAML::BeginSeq
      << YAML::BeginMap << YAML::Key << "key" << YAML::Value << "config.yaml" << YAML::Key << "path"
      << YAML::Value << "config.yaml" << YAML::EndMap << YAML::EndSeq << YAML::EndMap
      << YAML::EndMap;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "scripts" << YAML::Key
      << "configMap" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value
      << input.name + "-config" << YAML::EndMap << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  if (!out.good()) {
    return makeError(ErrorCode::kInternal,
                     fmt::format("rendering manifests: {}", out.GetLastError()));
  }
  return std::string(out.c_str()) + "\n";
}

} // namespace harborrobot::failover

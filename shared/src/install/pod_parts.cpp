#include "harborrobot/install/pod_parts.h"

#include <string>

#include "harborrobot/model/wire_names.h"

namespace harborrobot::install {

using Json = nlohmann::json;

namespace {

// The image's user (distroless "nonroot"); the kubelet checks it is not 0.
constexpr int kNonRootId = 65532;

Json fieldRef(std::string_view name, std::string_view path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}

} // namespace

Json downwardApiEnv() {
  return Json::array({fieldRef("POD_NAME", "metadata.name"),
                      fieldRef("POD_NAMESPACE", "metadata.namespace"),
                      fieldRef("POD_IP", "status.podIP")});
}

void addHealthProbes(Json& container) {
  container["readinessProbe"] = {{"httpGet", {{"path", "/readyz"}, {"port", "health"}}},
                                 {"periodSeconds", 2}};
  container["livenessProbe"] = {{"httpGet", {{"path", "/healthz"}, {"port", "health"}}},
                                {"periodSeconds", 10},
                                {"failureThreshold", 6}};
}

Json restrictedPodSecurityContext() {
  return {{"runAsNonRoot", true},
          {"runAsUser", kNonRootId},
          {"runAsGroup", kNonRootId},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

Json restrictedContainerSecurityContext() {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", true},
          {"runAsNonRoot", true},
          {"capabilities", {{"drop", {"ALL"}}}}};
}

Json objectMeta(std::string_view name, std::string_view ns, Json labels) {
  Json metadata = {{"name", name}, {"labels", std::move(labels)}};
  if (!ns.empty()) {
    metadata["namespace"] = ns;
  }
  return metadata;
}

} // namespace harborrobot::install

// Everything `kubectl harborrobot install` creates, as Kubernetes objects: the
// system namespace, the CRD, RBAC for the hub and the agents, the hub Deployment
// (two replicas, restricted securityContext, requests), its PDB and Service.
// `--dry-run` prints these same objects, so a GitOps repo holds exactly what an
// install would apply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::cli {

inline constexpr std::string_view kSystemNamespace = "harbor-robot-gen-system";
inline constexpr std::string_view kHubName = "harborrobot-hub";
inline constexpr std::string_view kCrdName =
    "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io";
// The names the hub gives what it makes in target namespaces (the hub's
// agent_deployer.cpp, agent_signals.cpp, hub_certificates.h): RBAC names them.
inline constexpr std::string_view kAgentName = "harborrobot-agent";
inline constexpr std::string_view kSignalName = "harborrobot-signal";
inline constexpr std::string_view kHubCaName = "harborrobot-hub-ca";

struct InstallOptions {
  std::string image = std::string(wire::kDefaultAgentImage);
  std::string agents = "managed"; // managed: the hub deploys agents; external: you do
  int replicas = 2;
  // Protected namespaces bindings may target after all (the hub's --allow-namespaces).
  std::vector<std::string> allowNamespaces{};
};

std::string_view embeddedCrdYaml();
std::string_view embeddedCredentialCrdYaml(); // HarborRobotCredential

// In apply order: namespace and CRD first, the Deployment after its RBAC.
[[nodiscard]] Result<std::vector<nlohmann::json>> installObjects(const InstallOptions& options);

// What the hub and an agent may do, as a Markdown table rendered from the RBAC
// among `objects` (the README's security section shows it for both modes, and
// a test keeps the two equal).
std::string rbacTable(const std::vector<nlohmann::json>& objects);

} // namespace harborrobot::cli

// Everything `kubectl harborrobot install` creates, as Kubernetes objects: the
// system namespace, the CRDs, RBAC for the hub and the agents, the hub
// Deployment (two replicas, restricted securityContext, requests), its PDB,
// Service and NetworkPolicy. `install --dry-run` prints these same objects, so
// a GitOps repository holds exactly what an install applies. What the hub
// makes in each target namespace is in agent_objects.h, from the same parts.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::install {

struct InstallOptions {
  std::string image = std::string(wire::kDefaultAgentImage);
  std::string agents = "managed"; // managed: the hub deploys agents; external: you do
  int replicas = 2;
  // Protected namespaces bindings may target after all (the hub's --allow-namespaces).
  std::vector<std::string> allowNamespaces{};
};

// In apply order: namespace and CRDs first, the Deployment after its RBAC.
// `crds` are the CustomResourceDefinitions, placed after the namespace. An
// option out of range is an error naming its flag, the value and what is
// accepted.
[[nodiscard]] Result<std::vector<nlohmann::json>> installObjects(const InstallOptions& options,
                                                                 std::vector<nlohmann::json> crds);

// What the hub and an agent may do, as a Markdown table rendered from the RBAC
// among `objects` (the README's security section shows it for both modes, and
// a test keeps the two equal).
std::string rbacTable(const std::vector<nlohmann::json>& objects);

} // namespace harborrobot::install

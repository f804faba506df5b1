// What the hub makes in each namespace a binding targets (managed agents): the
// agent's ServiceAccount, a RoleBinding to the harborrobot-agent ClusterRole
// that `install` created, the hub's CA as a ConfigMap, and the agent's
// Deployment. The hub only binds that ClusterRole; it never grants itself
// Secret access outside its own namespace.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::install {

struct AgentTemplate {
  std::string image{};         // the agent image (the hub's own, by default)
  std::string hubNamespace{};  // for the hub URL
  std::string hubService{};    // harborrobot-hub
  std::string caCertificate{}; // PEM, published to each namespace
  // Extra environment for every agent (--agent-env NAME=VALUE), e.g. HTTPS_PROXY
  // and NO_PROXY where Harbor is reached through a proxy.
  std::vector<std::pair<std::string, std::string>> env{};
};

// In create order: ServiceAccount, RoleBinding, ConfigMap, Deployment. The
// Deployment carries a hash of its spec (wire::kTemplateHashAnnotation), so a
// changed template is noticed without comparing fields the API server defaults.
std::vector<nlohmann::json> agentObjects(const std::string& ns, const AgentTemplate& agent);

// Whether `current` (as read from the API server) already is `desired` (one of
// agentObjects) in what harborrobot sets: the RoleBinding's subjects, the
// ConfigMap's data, the Deployment's template hash. A ServiceAccount that
// exists is current.
bool agentObjectCurrent(const nlohmann::json& current, const nlohmann::json& desired);

} // namespace harborrobot::install

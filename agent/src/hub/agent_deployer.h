// Managed agents: in every namespace some binding targets, the hub keeps the
// agent's objects (install::agentObjects) in place, and removes them from
// namespaces no binding targets any more.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harborrobot/hub/agent_deployment.h"
#include "harborrobot/install/agent_objects.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/observability/logger.h"

namespace harborrobot::agent::hub {

using ::harborrobot::install::AgentTemplate;

class AgentDeployer final : public ::harborrobot::hub::AgentDeployment {
public:
  AgentDeployer(kube::Client& client, AgentTemplate config, const Logger& logger);

  // Makes the agents exist in `namespaces`, and removes those elsewhere for
  // which `mayRemove` says yes (their agent has cleaned up after itself).
  [[nodiscard]] Status sync(const std::set<std::string>& namespaces,
                            const std::function<bool(const std::string&)>& mayRemove) override;

private:
  [[nodiscard]] Status ensure(const std::string& ns);
  [[nodiscard]] Status remove(const std::string& ns);

  kube::Client& client_;
  AgentTemplate config_;
  const Logger& logger_;
  // When each namespace's agent objects were last checked. Every binding change
  // asks for a sync; checking N namespaces' five objects each time made the hub's
  // work grow with N squared. A namespace is checked again after kRecheck (to
  // repair drift) or when it leaves the targets and comes back.
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> ensuredAt_;
};

} // namespace harborrobot::agent::hub

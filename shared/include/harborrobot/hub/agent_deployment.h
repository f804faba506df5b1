// The hub's managed agents as the agent fleet sees them: the agent's
// AgentDeployer implements this, tests fake it.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "harborrobot/core/result.h"

namespace harborrobot::hub {

class AgentDeployment {
public:
  virtual ~AgentDeployment();
  // Makes the agents exist in `namespaces`, and removes those elsewhere for
  // which `mayRemove` says yes (their agent has cleaned up after itself).
  [[nodiscard]] virtual Status sync(const std::set<std::string>& namespaces,
                                    const std::function<bool(const std::string&)>& mayRemove) = 0;
};

} // namespace harborrobot::hub

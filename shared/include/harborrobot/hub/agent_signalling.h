// The hub's nudge to namespace agents as the agent fleet sees it: the agent's
// AgentSignals (a ConfigMap per namespace) implements this, tests fake it.
#pragma once

#include <map>
#include <string>

#include "harborrobot/core/result.h"

namespace harborrobot::hub {

class AgentSignalling {
public:
  virtual ~AgentSignalling();
  // Makes each namespace's signal carry its fingerprint, writing only those that
  // changed, and removes the signals of namespaces not listed. A namespace that
  // cannot be written is tried again next time; the error returned is the first
  // such failure.
  [[nodiscard]] virtual Status sync(const std::map<std::string, std::string>& fingerprints) = 0;
};

} // namespace harborrobot::hub

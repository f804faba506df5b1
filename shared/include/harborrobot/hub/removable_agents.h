// The "removable agent" rule: an agent leaves a namespace no binding targets any
// more only once it has said it holds nothing, or has had ample time to. I/O
// free and not locked: the agent fleet guards it.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>

namespace harborrobot::hub {

inline constexpr std::chrono::minutes kAgentCleanupTimeout{10};

class RemovableAgents {
public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit RemovableAgents(std::chrono::steady_clock::duration timeout = kAgentCleanupTimeout)
      : timeout_(timeout) {}

  // The agent of `ns` reported no bindings (it has removed its Secrets).
  void reportedEmpty(const std::string& ns, TimePoint at) { reportedEmpty_[ns] = at; }
  // These namespaces are targets: whatever was known of their leaving is forgotten.
  void targeted(const std::set<std::string>& namespaces);
  // Whether the agent of `ns`, which is not a target, may be removed now. The
  // first call for a namespace starts its untargeted time; a yes forgets it.
  bool mayRemove(const std::string& ns, TimePoint now);
  // Some namespace waits for its agent to clean up (or to time out).
  bool anyUntargeted() const { return !untargetedSince_.empty(); }

private:
  std::chrono::steady_clock::duration timeout_;
  // Namespaces whose agent reported no bindings (it has removed its Secrets),
  // and when: only then, or long after, is the agent itself removed.
  std::map<std::string, TimePoint> reportedEmpty_;
  std::map<std::string, TimePoint> untargetedSince_;
};

} // namespace harborrobot::hub

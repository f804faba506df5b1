// planCleanup: one pass over the listing, each robot judged by its marker.
#include "harborrobot/rotation/cleanup.h"

namespace harborrobot::rotation {

std::string_view cleanupReasonName(CleanupReason reason) {
  switch (reason) {
  case CleanupReason::kBindingDeleted:
    return "BindingDeleted";
  case CleanupReason::kNamespaceUntargeted:
    return "NamespaceUntargeted";
  case CleanupReason::kSuperseded:
    return "Superseded";
  case CleanupReason::kNeverActivated:
    return "NeverActivated";
  }
  return "Unknown";
}

CleanupPlan planCleanup(const std::vector<OurRobot>& robots, std::string_view clusterId,
                        const std::map<std::string, BindingTargets>& bindings,
                        const CleanupPolicy& policy, TimePoint now) {
  CleanupPlan plan;
  const auto revisit = [&plan](TimePoint when) {
    if (!plan.revisitAt || when < *plan.revisitAt) {
      plan.revisitAt = when;
    }
  };
  for (const OurRobot& robot : robots) {
    const auto marker = parseMarker(robot.description);
    if (!marker || marker->clusterId != clusterId) {
      continue;
    }
    const auto binding = bindings.find(marker->bindingUid);
    if (binding == bindings.end()) {
      plan.deletions.push_back({robot.id, robot.username, CleanupReason::kBindingDeleted});
      continue;
    }
    if (binding->second.keepAll) {
      continue;
    }
    const auto target = binding->second.namespaces.find(marker->ns);
    if (target == binding->second.namespaces.end()) {
      plan.deletions.push_back({robot.id, robot.username, CleanupReason::kNamespaceUntargeted});
      continue;
    }
    const ActiveGeneration& active = target->second;
    if (marker->generation == active.generation) {
      continue;
    }
    if (active.generation != 0 && marker->generation < active.generation) {
      const TimePoint deletable = active.activeSince + policy.gracePeriod;
      if (now >= deletable) {
        plan.deletions.push_back({robot.id, robot.username, CleanupReason::kSuperseded});
      } else {
        revisit(deletable);
      }
      continue;
    }
    // Newer than the active generation (or nothing active yet): in flight, unless
    // it has waited for activation longer than any rotation takes.
    const TimePoint abandoned = robot.createdAt + policy.pendingTimeout;
    const bool agentDisowned = active.lastReport && *active.lastReport > robot.createdAt;
    if (now >= abandoned && agentDisowned) {
      plan.deletions.push_back({robot.id, robot.username, CleanupReason::kNeverActivated});
    } else if (now < abandoned) {
      revisit(abandoned);
    }
  }
  return plan;
}

} // namespace harborrobot::rotation

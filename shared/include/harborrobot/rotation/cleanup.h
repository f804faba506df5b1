// Which of our robots in a project the hub deletes now, and why. Pure: the hub
// feeds it the registry's listing, the bindings as they are, and the clock.
//
// The rules (DESIGN.md "Rotation"):
// - a robot without this cluster's marker is never touched;
// - a robot of a binding that no longer exists, or of a namespace the binding no
//   longer targets, goes (only decided once the caller's caches are synced);
// - a robot of an older generation goes once the newer one has been active for
//   the grace period (pulls in flight and kubelet propagation finish first);
// - a robot newer than the active generation that was never activated goes after
//   the pending timeout (an agent crashed between "create" and "activate"), but
//   only when the agent has reported since the robot was made without claiming
//   it: a silent agent may have written it into its Secret already;
// - the active generation is never deleted here, even when expired: the agent
//   rotates it, and deleting it would break pulls;
// - the robots of a binding marked keepAll (a frozen binding, or one judged by
//   its own reconcile) are never deleted here.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harborrobot/rotation/marker.h"

namespace harborrobot::rotation {

using TimePoint = std::chrono::system_clock::time_point;

struct OurRobot {
  std::int64_t id = 0;
  std::string username{};
  std::string description{};
  TimePoint createdAt{};
};

// What the binding status says about one (binding, namespace).
struct ActiveGeneration {
  std::int64_t generation = 0;           // 0 = nothing activated yet
  TimePoint activeSince{};               // when that generation was reported active
  std::optional<TimePoint> lastReport{}; // the agent's latest status report
};

struct BindingTargets {
  std::string bindingUid{};
  std::map<std::string, ActiveGeneration> namespaces{}; // targeted namespace → state
  // None of its robots is deleted by this plan: the binding's spec is invalid
  // (frozen at its last valid one), or the binding is judged by its own
  // reconcile (another binding listing the same project only learns that it
  // exists). `namespaces` is not read then.
  bool keepAll = false;
};

struct CleanupPolicy {
  std::chrono::seconds gracePeriod{std::chrono::minutes(5)};
  std::chrono::seconds pendingTimeout{std::chrono::minutes(15)};
};

enum class CleanupReason { kBindingDeleted, kNamespaceUntargeted, kSuperseded, kNeverActivated };

std::string_view cleanupReasonName(CleanupReason reason);

struct Deletion {
  std::int64_t id = 0;
  std::string username{};
  CleanupReason reason = CleanupReason::kSuperseded;
};

struct CleanupPlan {
  std::vector<Deletion> deletions{};
  // The earliest time a kept robot becomes deletable, so the hub can come back
  // exactly then instead of polling.
  std::optional<TimePoint> revisitAt{};
};

// `bindings` is keyed by binding UID and must hold every binding of this cluster
// that uses the project's connection.
CleanupPlan planCleanup(const std::vector<OurRobot>& robots, std::string_view clusterId,
                        const std::map<std::string, BindingTargets>& bindings,
                        const CleanupPolicy& policy, TimePoint now);

} // namespace harborrobot::rotation

// The ownership marker every robot we create carries in its description. Nothing
// is ever deleted in the registry without a marker of this cluster, and the marker
// alone says which binding, namespace and generation a robot belongs to, so the hub
// needs no state of its own beyond the bindings' status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harborrobot::rotation {

struct OwnershipMarker {
  std::string clusterId{}; // the kube-system namespace UID: stable per cluster
  std::string bindingName{};
  std::string bindingUid{};
  std::string ns{};
  std::int64_t generation = 0;
  std::string rotationId{}; // the agent's idempotency key for this generation

  bool operator==(const OwnershipMarker&) const = default;
};

// Every marker starts with this, so a listing can be narrowed to ours.
inline constexpr std::string_view kMarkerPrefix = "managed-by=harborrobot;";

// "managed-by=harborrobot; cluster=…; binding=<name>/<uid>; namespace=…;
//  generation=N; rotation=…" — readable by a Harbor admin looking at the robot.
std::string formatMarker(const OwnershipMarker& marker);

// nullopt for any description that is not exactly a marker we wrote: a robot
// someone else made, or one whose description was edited, is never ours.
std::optional<OwnershipMarker> parseMarker(std::string_view description);

} // namespace harborrobot::rotation

// When a namespace agent rotates a generated Secret, and why. Pure: the agent
// describes what it sees (its Secret, the binding, the last verification) and gets
// a decision plus the time to look again, so it needs no polling.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harborrobot::rotation {

using TimePoint = std::chrono::system_clock::time_point;

// What the agent found in the namespace under the binding's Secret name.
struct ObservedSecret {
  bool exists = false;
  bool ours = false;           // carries our managed-by label and binding annotation
  bool decodes = false;        // a dockerconfigjson with a credential for the binding's URL
  bool contentMatches = false; // its content hash equals the one we recorded: no hand edit
  std::int64_t generation = 0;
  std::optional<TimePoint> rotatedAt{};
  std::string specHash{};                       // of what the credential was made for
  std::optional<TimePoint> rotateRequestedAt{}; // set by `kubectl harborrobot rotate`
};

struct RotationInputs {
  ObservedSecret secret{};
  std::string desiredSpecHash{}; // project, access, URL and Secret name of the binding now
  std::chrono::nanoseconds refreshInterval{0};
  bool credentialRejected = false; // the registry refused it (robot deleted or expired)
  TimePoint now{};
};

enum class RotationReason {
  kNone,
  kSecretNameConflict, // a Secret of that name that is not ours: never overwritten
  kSecretMissing,
  kSecretCorrupt,
  kSecretEditedByHand,
  kSpecChanged,
  kCredentialRejected,
  kRotationRequested,
  kRefreshDue,
};

// CamelCase, as used for event reasons and status.
std::string_view rotationReasonName(RotationReason reason);

struct RotationDecision {
  bool rotate = false;
  RotationReason reason = RotationReason::kNone;
  std::optional<TimePoint> nextCheck{}; // when the refresh falls due, if nothing else happens
};

RotationDecision decideRotation(const RotationInputs& inputs);

} // namespace harborrobot::rotation

// decideRotation: the triggers in order of precedence.
#include "harborrobot/rotation/agent_decision.h"

namespace harborrobot::rotation {

std::string_view rotationReasonName(RotationReason reason) {
  switch (reason) {
  case RotationReason::kNone:
    return "UpToDate";
  case RotationReason::kSecretNameConflict:
    return "SecretNameConflict";
  case RotationReason::kSecretMissing:
    return "SecretMissing";
  case RotationReason::kSecretCorrupt:
    return "SecretCorrupt";
  case RotationReason::kSecretEditedByHand:
    return "SecretEditedByHand";
  case RotationReason::kSpecChanged:
    return "SpecChanged";
  case RotationReason::kCredentialRejected:
    return "CredentialRejected";
  case RotationReason::kRotationRequested:
    return "RotationRequested";
  case RotationReason::kRefreshDue:
    return "RefreshDue";
  }
  return "Unknown";
}

RotationDecision decideRotation(const RotationInputs& inputs) {
  const ObservedSecret& secret = inputs.secret;
  const auto rotate = [](RotationReason reason) { return RotationDecision{true, reason, {}}; };
  if (secret.exists && !secret.ours) {
    return {false, RotationReason::kSecretNameConflict, {}};
  }
  if (!secret.exists) {
    return rotate(RotationReason::kSecretMissing);
  }
  if (!secret.decodes || secret.generation < 1 || !secret.rotatedAt) {
    return rotate(RotationReason::kSecretCorrupt);
  }
  if (!secret.contentMatches) {
    return rotate(RotationReason::kSecretEditedByHand);
  }
  if (secret.specHash != inputs.desiredSpecHash) {
    return rotate(RotationReason::kSpecChanged);
  }
  if (inputs.credentialRejected) {
    return rotate(RotationReason::kCredentialRejected);
  }
  if (secret.rotateRequestedAt && *secret.rotateRequestedAt > *secret.rotatedAt) {
    return rotate(RotationReason::kRotationRequested);
  }
  const TimePoint due =
      *secret.rotatedAt +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(inputs.refreshInterval);
  if (inputs.now >= due) {
    return rotate(RotationReason::kRefreshDue);
  }
  return {false, RotationReason::kNone, due};
}

} // namespace harborrobot::rotation

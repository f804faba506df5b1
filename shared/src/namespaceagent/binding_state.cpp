// A namespace agent's per-binding state and the rules that move it.
#include "harborrobot/namespaceagent/binding_state.h"

#include <algorithm>
#include <random>

#include "harborrobot/namespaceagent/agent_timing.h"

namespace harborrobot::namespaceagent {

namespace {

constexpr std::string_view kSecretNameConflict = "SecretNameConflict";
constexpr std::string_view kBindingFrozen = "BindingFrozen";

} // namespace

CheckOutcome checkOutcomeOf(const Status& check) {
  if (check) {
    return CheckOutcome::kAccepted;
  }
  if (check.error().code() == ErrorCode::kUnauthenticated ||
      check.error().code() == ErrorCode::kPermissionDenied) {
    return CheckOutcome::kRefused;
  }
  return CheckOutcome::kUnavailable;
}

std::string_view checkOutcomeName(CheckOutcome outcome) {
  switch (outcome) {
  case CheckOutcome::kAccepted:
    return "accepted";
  case CheckOutcome::kRefused:
    return "refused";
  case CheckOutcome::kUnavailable:
    return "unavailable";
  }
  return "unavailable";
}

bool startCheckInPlace(BindingState& state, TimePoint now) {
  if (now < state.verifyDueAt) {
    return false;
  }
  state.verifyDueAt = now + kVerifyInterval;
  return true;
}

CheckOutcome noteCheckInPlace(BindingState& state, const Status& check, TimePoint now) {
  const CheckOutcome outcome = checkOutcomeOf(check);
  switch (outcome) {
  case CheckOutcome::kAccepted:
    state.verifiedAt = now;
    state.credentialRejected = false;
    state.checkProblem.clear();
    break;
  case CheckOutcome::kRefused:
    state.credentialRejected = true;
    state.checkProblem.clear();
    break;
  case CheckOutcome::kUnavailable:
    // Says nothing about the credential: check again soon, change nothing.
    state.verifyDueAt = now + kCheckUnavailableRetry;
    state.checkProblem = check.error().message();
    break;
  }
  return outcome;
}

CheckOutcome noteNewCredentialCheck(BindingState& state, const Status& check, TimePoint now) {
  const CheckOutcome outcome = checkOutcomeOf(check);
  if (outcome == CheckOutcome::kAccepted) {
    state.verifiedAt = now;
    state.verifyDueAt = now + kVerifyInterval;
    state.checkProblem.clear();
  } else if (outcome == CheckOutcome::kUnavailable) {
    // Harbor cannot be asked from here; the hub vouches for the credential,
    // and a pull would fail the same way with the old one.
    state.checkProblem = check.error().message();
  }
  return outcome;
}

std::int64_t nextGeneration(std::int64_t observedGeneration, std::int64_t activeGeneration) {
  return std::max(observedGeneration, activeGeneration) + 1;
}

std::string randomRotationId() {
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id = "r";
  for (int i = 0; i < 15; ++i) {
    id += "0123456789abcdef"[digit(device)];
  }
  return id;
}

const std::string& beginRotation(BindingState& state, std::int64_t generation,
                                 const RotationIdSource& newId) {
  if (state.pendingGeneration != generation || state.pendingRotationId.empty()) {
    state.pendingGeneration = generation;
    state.pendingRotationId = newId();
  }
  return state.pendingRotationId;
}

void abandonRotation(BindingState& state) {
  state.pendingRotationId.clear();
}

void completeRotation(BindingState& state) {
  state.credentialRejected = false;
  state.pendingGeneration = 0;
  state.pendingRotationId.clear();
}

void noteConnectionUnavailable(BindingState& state) {
  state.ready = false;
  state.reason = "ConnectionUnavailable";
}

bool noteSecretNameConflict(BindingState& state) {
  const bool news = state.reason != kSecretNameConflict;
  state.ready = false;
  state.reason = kSecretNameConflict;
  return news;
}

bool noteFrozen(BindingState& state, bool holdsSecrets) {
  const bool news = state.reason != kBindingFrozen;
  state.ready = holdsSecrets;
  state.reason = kBindingFrozen;
  state.lastError.clear();
  return news;
}

void noteRotationFailed(BindingState& state, const rotation::ObservedSecret& observed,
                        rotation::RotationReason reason, std::string error) {
  state.lastError = std::move(error);
  state.reason = "RotationFailed";
  state.ready = observed.decodes && observed.contentMatches &&
                reason == rotation::RotationReason::kRefreshDue;
}

void noteCredentialCurrent(BindingState& state) {
  state.ready = true;
  state.reason.clear();
}

bool activationOwed(const rotation::ObservedSecret& observed, std::int64_t activeGeneration) {
  return observed.generation > activeGeneration;
}

bool mainSecretWanted(const rotation::ObservedSecret& observed,
                      const rotation::RotationDecision& decision) {
  return observed.exists || decision.rotate;
}

TimePoint nextLook(const rotation::RotationDecision& decision, const BindingState& state,
                   TimePoint now) {
  return std::min(decision.nextCheck.value_or(now + kHubPoll), state.verifyDueAt);
}

bool aliasCheckDue(const BindingState& state, TimePoint now, std::chrono::nanoseconds interval) {
  return !state.aliasWanted ||
         now - state.aliasCheckedAt >= std::chrono::duration_cast<TimePoint::duration>(interval);
}

TimePoint nextAliasCheck(const BindingState& state, std::chrono::nanoseconds interval) {
  return state.aliasCheckedAt + std::chrono::duration_cast<TimePoint::duration>(interval);
}

bool noteAliasVerdict(BindingState& state, const plugin::AliasDecision& decision, bool aliasIsOurs,
                      TimePoint now) {
  state.aliasCheckedAt = now;
  bool changed = false;
  if (decision.action != plugin::AliasAction::kKeep) {
    const bool wantedNow = decision.action == plugin::AliasAction::kGenerate;
    changed = state.aliasWanted != wantedNow;
    state.aliasWanted = wantedNow;
  } else if (!state.aliasWanted) {
    state.aliasWanted = aliasIsOurs;
  }
  state.aliasReason = decision.reason;
  return changed;
}

} // namespace harborrobot::namespaceagent

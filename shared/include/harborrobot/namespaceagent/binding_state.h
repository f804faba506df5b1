// What a namespace agent remembers about one binding between passes, and the
// pure rules that move it: credential checks, rotation ids, outcomes, the alias verdict.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/rotation/agent_decision.h"

namespace harborrobot::namespaceagent {

using TimePoint = std::chrono::system_clock::time_point;

struct BindingState {
  std::optional<bool> aliasWanted{}; // the alias policy's last verdict
  TimePoint aliasCheckedAt{};
  std::string aliasReason{};
  std::string reason{};
  std::string lastError{};
  bool ready = false;
  std::optional<TimePoint> verifiedAt{}; // Harbor last accepted the credential
  TimePoint verifyDueAt{};
  bool credentialRejected = false; // Harbor refused the credential in place
  // Why the last credential check could not run (TLS, unreachable…), shown
  // in the status until a check runs again; "" when it ran.
  std::string checkProblem{};
  // The rotation in progress: every retry of one generation asks with the
  // same rotation id, so the hub answers a retried request (whose answer was
  // lost) with the robot it already made instead of making another.
  std::int64_t pendingGeneration = 0;
  std::string pendingRotationId{};
};

// --- Credential checks with Harbor ---

enum class CheckOutcome {
  kAccepted,
  kRefused,     // Harbor said no to this credential (unauthenticated, denied)
  kUnavailable, // the check could not run: it says nothing about the credential
};

CheckOutcome checkOutcomeOf(const Status& check);
// "accepted", "refused", "unavailable": the verifications metric's label.
std::string_view checkOutcomeName(CheckOutcome outcome);

// Whether the credential in place is due a check now; when it is, the next
// check is scheduled a full interval later (whatever this one finds).
bool startCheckInPlace(BindingState& state, TimePoint now);
// Records what the check of the credential in place found; a refusal makes the
// next rotation decision rotate.
CheckOutcome noteCheckInPlace(BindingState& state, const Status& check, TimePoint now);
// Records one check of a new credential before it replaces the one in place. A
// refusal changes nothing: the caller tries again, up to kVerifyAttempts.
CheckOutcome noteNewCredentialCheck(BindingState& state, const Status& check, TimePoint now);

// --- Rotations ---

// The generation a rotation writes: one past both the Secret's and the hub's.
std::int64_t nextGeneration(std::int64_t observedGeneration, std::int64_t activeGeneration);

using RotationIdSource = std::function<std::string()>;
// "r" and 15 random hex digits.
std::string randomRotationId();
// The rotation id to ask the hub with for `generation`: the pending one while
// the same generation is retried, a new one from `newId` otherwise.
const std::string& beginRotation(BindingState& state, std::int64_t generation,
                                 const RotationIdSource& newId);
// The new credential was not put in place: the hub removes the unused robot,
// and the next attempt asks for a new one (a new rotation id).
void abandonRotation(BindingState& state);
// The new Secret is in place: the next rotation is a new one.
void completeRotation(BindingState& state);

// --- A binding's outcome in one pass ---

// The hub knows no connection for the binding: nothing can be issued.
void noteConnectionUnavailable(BindingState& state);
// A Secret of the binding's name that is not ours. True the first time it is
// seen (an Event is worth recording), false while it persists.
bool noteSecretNameConflict(BindingState& state);
// The binding's spec is invalid: ready while it still holds Secrets. True the
// first time (worth a log line).
bool noteFrozen(BindingState& state, bool holdsSecrets);
// Ready only while the credential in place is still valid and current.
void noteRotationFailed(BindingState& state, const rotation::ObservedSecret& observed,
                        rotation::RotationReason reason, std::string error);
void noteCredentialCurrent(BindingState& state);
// The Secret was written but the hub never heard: the generation must be
// activated again (idempotent).
bool activationOwed(const rotation::ObservedSecret& observed, std::int64_t activeGeneration);
// The main Secret stays in the ServiceAccounts while it exists or is being made.
bool mainSecretWanted(const rotation::ObservedSecret& observed,
                      const rotation::RotationDecision& decision);
// When the binding next needs a look after a pass that did not fail: the refresh
// (or the hub poll) or the next credential check, whichever comes first.
TimePoint nextLook(const rotation::RotationDecision& decision, const BindingState& state,
                   TimePoint now);

// --- The alias copy ---

// Whether the alias policy should be asked again: never asked, or the interval passed.
bool aliasCheckDue(const BindingState& state, TimePoint now, std::chrono::nanoseconds interval);
TimePoint nextAliasCheck(const BindingState& state, std::chrono::nanoseconds interval);
// Records the policy's verdict. kKeep keeps the last verdict, or on the first
// check adopts what is there (`aliasIsOurs`). True when the verdict changed.
bool noteAliasVerdict(BindingState& state, const plugin::AliasDecision& decision, bool aliasIsOurs,
                      TimePoint now);

} // namespace harborrobot::namespaceagent

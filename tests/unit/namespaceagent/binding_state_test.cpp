// The namespace agent's per-binding rules: credential checks, rotation ids,
// outcomes of a pass and the alias verdict, with a fixed clock.
#include "harborrobot/namespaceagent/binding_state.h"

#include <gtest/gtest.h>

#include "harborrobot/namespaceagent/agent_timing.h"

namespace harborrobot::namespaceagent {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 55);

Status refused() {
  return makeError(ErrorCode::kUnauthenticated, "unauthorized: robot$p+x");
}
Status denied() {
  return makeError(ErrorCode::kPermissionDenied, "denied: pull on p");
}
Status unreachable() {
  return makeError(ErrorCode::kUnavailable, "harbor.example.com: connection refused");
}

rotation::ObservedSecret intact() {
  return {true, true, true, true, 3, kNow - minutes(30), "spec-1", std::nullopt};
}

TEST(CheckOutcome, OnlyAnAuthenticationOrPermissionRefusalCountsAsRefused) {
  EXPECT_EQ(checkOutcomeOf(ok()), CheckOutcome::kAccepted);
  EXPECT_EQ(checkOutcomeOf(refused()), CheckOutcome::kRefused);
  EXPECT_EQ(checkOutcomeOf(denied()), CheckOutcome::kRefused);
  EXPECT_EQ(checkOutcomeOf(unreachable()), CheckOutcome::kUnavailable);
  EXPECT_EQ(checkOutcomeOf(makeError(ErrorCode::kFailedPrecondition, "tls: unknown CA")),
            CheckOutcome::kUnavailable);
}

TEST(CheckOutcome, NamesAreTheMetricLabels) {
  EXPECT_EQ(checkOutcomeName(CheckOutcome::kAccepted), "accepted");
  EXPECT_EQ(checkOutcomeName(CheckOutcome::kRefused), "refused");
  EXPECT_EQ(checkOutcomeName(CheckOutcome::kUnavailable), "unavailable");
}

TEST(CheckInPlace, RunsWhenDueAndSchedulesTheNextAFullIntervalLater) {
  BindingState state;
  state.verifyDueAt = kNow + seconds(1);
  EXPECT_FALSE(startCheckInPlace(state, kNow));
  EXPECT_EQ(state.verifyDueAt, kNow + seconds(1));
  EXPECT_TRUE(startCheckInPlace(state, kNow + seconds(1)));
  EXPECT_EQ(state.verifyDueAt, kNow + seconds(1) + kVerifyInterval);
}

TEST(CheckInPlace, AcceptedRecordsTheTimeAndClearsARefusalAndAProblem) {
  BindingState state;
  state.credentialRejected = true;
  state.checkProblem = "earlier problem";
  EXPECT_EQ(noteCheckInPlace(state, ok(), kNow), CheckOutcome::kAccepted);
  EXPECT_EQ(state.verifiedAt, kNow);
  EXPECT_FALSE(state.credentialRejected);
  EXPECT_EQ(state.checkProblem, "");
}

TEST(CheckInPlace, ARefusalMarksTheCredentialRejectedSoTheNextDecisionRotates) {
  BindingState state;
  state.checkProblem = "earlier problem";
  EXPECT_EQ(noteCheckInPlace(state, refused(), kNow), CheckOutcome::kRefused);
  EXPECT_TRUE(state.credentialRejected);
  EXPECT_EQ(state.verifiedAt, std::nullopt);
  EXPECT_EQ(state.checkProblem, "");
  const auto decision = rotation::decideRotation(
      {intact(), "spec-1", std::chrono::hours(6), state.credentialRejected, kNow});
  EXPECT_TRUE(decision.rotate);
  EXPECT_EQ(decision.reason, rotation::RotationReason::kCredentialRejected);
}

TEST(CheckInPlace, ACheckThatCannotRunChangesNothingButItsProblemAndRetriesSooner) {
  BindingState state;
  state.verifiedAt = kNow - minutes(15);
  state.verifyDueAt = kNow + kVerifyInterval;
  EXPECT_EQ(noteCheckInPlace(state, unreachable(), kNow), CheckOutcome::kUnavailable);
  EXPECT_EQ(state.verifiedAt, kNow - minutes(15));
  EXPECT_FALSE(state.credentialRejected);
  EXPECT_EQ(state.verifyDueAt, kNow + seconds(30));
  EXPECT_EQ(state.checkProblem, "harbor.example.com: connection refused");
}

TEST(NewCredentialCheck, AcceptedPostponesTheNextCheckOfTheCredentialInPlace) {
  BindingState state;
  state.checkProblem = "earlier problem";
  EXPECT_EQ(noteNewCredentialCheck(state, ok(), kNow), CheckOutcome::kAccepted);
  EXPECT_EQ(state.verifiedAt, kNow);
  EXPECT_EQ(state.verifyDueAt, kNow + kVerifyInterval);
  EXPECT_EQ(state.checkProblem, "");
}

TEST(NewCredentialCheck, ARefusalChangesNothingSoTheCallerTriesAgain) {
  BindingState state;
  state.checkProblem = "earlier problem";
  EXPECT_EQ(noteNewCredentialCheck(state, refused(), kNow), CheckOutcome::kRefused);
  EXPECT_EQ(state.verifiedAt, std::nullopt);
  EXPECT_EQ(state.verifyDueAt, TimePoint{});
  EXPECT_EQ(state.checkProblem, "earlier problem");
}

TEST(NewCredentialCheck, ACheckThatCannotRunIsShownAsTheProblem) {
  BindingState state;
  EXPECT_EQ(noteNewCredentialCheck(state, unreachable(), kNow), CheckOutcome::kUnavailable);
  EXPECT_EQ(state.verifiedAt, std::nullopt);
  EXPECT_EQ(state.checkProblem, "harbor.example.com: connection refused");
}

TEST(NewCredentialCheck, TheRetryWaitOutlastsHarborsFailedLoginLock) {
  EXPECT_GT(kNewCredentialRetryWait, registry::kFailedLoginLock);
}

TEST(PendingRotation, TheNextGenerationFollowsTheHigherOfSecretAndHub) {
  EXPECT_EQ(nextGeneration(0, 0), 1);
  EXPECT_EQ(nextGeneration(4, 2), 5);
  EXPECT_EQ(nextGeneration(2, 7), 8); // a Secret older than what the hub activated
}

TEST(PendingRotation, ARetryOfTheSameGenerationAsksWithTheSameId) {
  BindingState state;
  int made = 0;
  const RotationIdSource ids = [&made] { return "id-" + std::to_string(++made); };
  EXPECT_EQ(beginRotation(state, 4, ids), "id-1");
  EXPECT_EQ(beginRotation(state, 4, ids), "id-1");
  EXPECT_EQ(state.pendingGeneration, 4);
  EXPECT_EQ(beginRotation(state, 5, ids), "id-2");
  EXPECT_EQ(made, 2);
}

TEST(PendingRotation, AnAbandonedCredentialIsNeverAskedForAgain) {
  BindingState state;
  int made = 0;
  const RotationIdSource ids = [&made] { return "id-" + std::to_string(++made); };
  EXPECT_EQ(beginRotation(state, 4, ids), "id-1");
  abandonRotation(state);
  EXPECT_EQ(beginRotation(state, 4, ids), "id-2");
}

TEST(PendingRotation, ACompletedRotationEndsThePendingOneAndTheRefusal) {
  BindingState state;
  state.credentialRejected = true;
  const RotationIdSource ids = [] { return std::string("id"); };
  beginRotation(state, 4, ids);
  completeRotation(state);
  EXPECT_FALSE(state.credentialRejected);
  EXPECT_EQ(state.pendingGeneration, 0);
  EXPECT_EQ(state.pendingRotationId, "");
}

TEST(PendingRotation, RandomIdsAreRAndFifteenHexDigits) {
  const std::string first = randomRotationId();
  ASSERT_EQ(first.size(), 16U);
  EXPECT_EQ(first[0], 'r');
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef", 1), std::string::npos);
  EXPECT_NE(first, randomRotationId());
}

TEST(PassOutcome, AConnectionUnavailableIsNotReady) {
  BindingState state;
  state.ready = true;
  noteConnectionUnavailable(state);
  EXPECT_FALSE(state.ready);
  EXPECT_EQ(state.reason, "ConnectionUnavailable");
}

TEST(PassOutcome, ASecretNameConflictIsNewsOnlyOnce) {
  BindingState state;
  state.ready = true;
  EXPECT_TRUE(noteSecretNameConflict(state));
  EXPECT_FALSE(state.ready);
  EXPECT_EQ(state.reason, "SecretNameConflict");
  EXPECT_FALSE(noteSecretNameConflict(state));
}

TEST(PassOutcome, AFrozenBindingIsReadyWhileItHoldsSecretsAndNewsOnlyOnce) {
  BindingState state;
  state.lastError = "earlier";
  EXPECT_TRUE(noteFrozen(state, true));
  EXPECT_TRUE(state.ready);
  EXPECT_EQ(state.reason, "BindingFrozen");
  EXPECT_EQ(state.lastError, "");
  EXPECT_FALSE(noteFrozen(state, false));
  EXPECT_FALSE(state.ready);
}

TEST(PassOutcome, AFailedRefreshStaysReadyOnTheCredentialInPlace) {
  BindingState state;
  noteRotationFailed(state, intact(), rotation::RotationReason::kRefreshDue, "hub: unavailable");
  EXPECT_TRUE(state.ready);
  EXPECT_EQ(state.reason, "RotationFailed");
  EXPECT_EQ(state.lastError, "hub: unavailable");
}

TEST(PassOutcome, AFailedRotationForAnyOtherReasonIsNotReady) {
  for (const auto reason :
       {rotation::RotationReason::kSpecChanged, rotation::RotationReason::kCredentialRejected,
        rotation::RotationReason::kRotationRequested, rotation::RotationReason::kSecretMissing}) {
    BindingState state;
    noteRotationFailed(state, intact(), reason, "hub: unavailable");
    EXPECT_FALSE(state.ready) << rotation::rotationReasonName(reason);
  }
  auto edited = intact();
  edited.contentMatches = false;
  BindingState state;
  noteRotationFailed(state, edited, rotation::RotationReason::kRefreshDue, "hub: unavailable");
  EXPECT_FALSE(state.ready);
}

TEST(PassOutcome, ACurrentCredentialIsReadyWithNoReason) {
  BindingState state;
  state.reason = "RotationFailed";
  noteCredentialCurrent(state);
  EXPECT_TRUE(state.ready);
  EXPECT_EQ(state.reason, "");
}

TEST(PassOutcome, AGenerationTheHubHasNotHeardOfIsActivatedAgain) {
  auto observed = intact();
  EXPECT_TRUE(activationOwed(observed, 2));
  EXPECT_FALSE(activationOwed(observed, 3));
  EXPECT_FALSE(activationOwed(observed, 4));
}

TEST(PassOutcome, TheMainSecretIsWantedWhileItExistsOrIsBeingMade) {
  EXPECT_TRUE(mainSecretWanted(intact(), {}));
  EXPECT_TRUE(mainSecretWanted({}, {true, rotation::RotationReason::kSecretMissing, {}}));
  EXPECT_FALSE(mainSecretWanted({}, {}));
}

TEST(PassOutcome, TheNextLookIsTheRefreshTheHubPollOrTheNextCheckWhicheverIsFirst) {
  BindingState state;
  state.verifyDueAt = kNow + minutes(15);
  EXPECT_EQ(nextLook({false, rotation::RotationReason::kNone, kNow + minutes(10)}, state, kNow),
            kNow + minutes(10));
  EXPECT_EQ(nextLook({false, rotation::RotationReason::kNone, kNow + minutes(20)}, state, kNow),
            kNow + minutes(15));
  state.verifyDueAt = kNow + minutes(60);
  EXPECT_EQ(nextLook({}, state, kNow), kNow + kHubPoll);
}

TEST(AliasVerdict, ThePolicyIsAskedFirstAndThenEveryInterval) {
  BindingState state;
  EXPECT_TRUE(aliasCheckDue(state, kNow, minutes(1)));
  noteAliasVerdict(state, {plugin::AliasAction::kRemove, "differs"}, false, kNow);
  EXPECT_FALSE(aliasCheckDue(state, kNow + seconds(59), minutes(1)));
  EXPECT_TRUE(aliasCheckDue(state, kNow + minutes(1), minutes(1)));
  EXPECT_EQ(nextAliasCheck(state, minutes(1)), kNow + minutes(1));
}

TEST(AliasVerdict, AVerdictIsRecordedAndReportedAsAChangeOnlyWhenItChanges) {
  BindingState state;
  EXPECT_TRUE(noteAliasVerdict(state, {plugin::AliasAction::kGenerate, "same IPs"}, false, kNow));
  EXPECT_EQ(state.aliasWanted, true);
  EXPECT_EQ(state.aliasReason, "same IPs");
  EXPECT_EQ(state.aliasCheckedAt, kNow);
  EXPECT_FALSE(noteAliasVerdict(state, {plugin::AliasAction::kGenerate, "same IPs"}, false,
                                kNow + minutes(1)));
  EXPECT_EQ(state.aliasCheckedAt, kNow + minutes(1));
  EXPECT_TRUE(noteAliasVerdict(state, {plugin::AliasAction::kRemove, "IPs differ"}, true,
                               kNow + minutes(2)));
  EXPECT_EQ(state.aliasWanted, false);
}

TEST(AliasVerdict, NoVerdictKeepsTheLastOneOrAtFirstWhatIsThere) {
  BindingState first;
  EXPECT_FALSE(noteAliasVerdict(first, {plugin::AliasAction::kKeep, "DNS failed"}, true, kNow));
  EXPECT_EQ(first.aliasWanted, true);
  EXPECT_EQ(first.aliasReason, "DNS failed");

  BindingState none;
  EXPECT_FALSE(noteAliasVerdict(none, {plugin::AliasAction::kKeep, "DNS failed"}, false, kNow));
  EXPECT_EQ(none.aliasWanted, false);

  BindingState decided;
  noteAliasVerdict(decided, {plugin::AliasAction::kRemove, "IPs differ"}, false, kNow);
  EXPECT_FALSE(noteAliasVerdict(decided, {plugin::AliasAction::kKeep, "DNS failed"}, true,
                                kNow + minutes(1)));
  EXPECT_EQ(decided.aliasWanted, false);
}

} // namespace
} // namespace harborrobot::namespaceagent

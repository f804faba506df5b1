// decideRotation: every trigger, their precedence, and the next check time.
#include "harborrobot/rotation/agent_decision.h"

#include <gtest/gtest.h>

namespace harborrobot::rotation {
namespace {

using std::chrono::hours;

const TimePoint kRotated = TimePoint{} + hours(24 * 365 * 55);

RotationInputs healthy() {
  RotationInputs inputs;
  inputs.secret = {true, true, true, true, 3, kRotated, "spec-1", std::nullopt};
  inputs.desiredSpecHash = "spec-1";
  inputs.refreshInterval = hours(6);
  inputs.now = kRotated + hours(1);
  return inputs;
}

TEST(RotationDecision, AHealthySecretWaitsForItsRefreshTime) {
  const auto decision = decideRotation(healthy());
  EXPECT_FALSE(decision.rotate);
  EXPECT_EQ(rotationReasonName(decision.reason), "UpToDate");
  EXPECT_EQ(decision.nextCheck, kRotated + hours(6));
}

TEST(RotationDecision, RefreshFallsDueAtExactlyTheInterval) {
  auto inputs = healthy();
  inputs.now = kRotated + hours(6);
  const auto decision = decideRotation(inputs);
  EXPECT_TRUE(decision.rotate);
  EXPECT_EQ(decision.reason, RotationReason::kRefreshDue);
}

TEST(RotationDecision, ASecretThatIsNotOursIsNeverOverwritten) {
  auto inputs = healthy();
  inputs.secret.ours = false;
  inputs.secret.decodes = false;
  const auto decision = decideRotation(inputs);
  EXPECT_FALSE(decision.rotate);
  EXPECT_EQ(rotationReasonName(decision.reason), "SecretNameConflict");
  EXPECT_EQ(decision.nextCheck, std::nullopt);
}

TEST(RotationDecision, EachTriggerRotatesWithItsReason) {
  struct Case {
    std::function<void(RotationInputs&)> change;
    std::string_view reason;
  };
  const std::vector<Case> cases = {
      {[](auto& in) { in.secret = {}; }, "SecretMissing"},
      {[](auto& in) { in.secret.decodes = false; }, "SecretCorrupt"},
      {[](auto& in) { in.secret.generation = 0; }, "SecretCorrupt"},
      {[](auto& in) { in.secret.rotatedAt.reset(); }, "SecretCorrupt"},
      {[](auto& in) { in.secret.contentMatches = false; }, "SecretEditedByHand"},
      {[](auto& in) { in.desiredSpecHash = "spec-2"; }, "SpecChanged"},
      {[](auto& in) { in.credentialRejected = true; }, "CredentialRejected"},
      {[](auto& in) { in.secret.rotateRequestedAt = kRotated + hours(1); }, "RotationRequested"},
  };
  for (const auto& testCase : cases) {
    auto inputs = healthy();
    testCase.change(inputs);
    const auto decision = decideRotation(inputs);
    EXPECT_TRUE(decision.rotate) << testCase.reason;
    EXPECT_EQ(rotationReasonName(decision.reason), testCase.reason);
  }
}

TEST(RotationDecision, ARequestOlderThanTheLastRotationIsAlreadyServed) {
  auto inputs = healthy();
  inputs.secret.rotateRequestedAt = kRotated - hours(1);
  EXPECT_FALSE(decideRotation(inputs).rotate);
}

TEST(RotationDecision, ProblemsWithTheSecretComeBeforeSpecChanges) {
  auto inputs = healthy();
  inputs.secret.contentMatches = false;
  inputs.desiredSpecHash = "spec-2";
  inputs.credentialRejected = true;
  EXPECT_EQ(decideRotation(inputs).reason, RotationReason::kSecretEditedByHand);
}

} // namespace
} // namespace harborrobot::rotation

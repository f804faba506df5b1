// The seed's decision flow, step by step.
#include "harborrobot/failover/watchdog.h"

#include <gtest/gtest.h>

namespace harborrobot::failover {
namespace {

TEST(Watchdog, StartRunsTheStartScriptUnlessAlreadyStarted) {
  Watchdog watchdog(3);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStart), Action::kRunStatusForStart);
  EXPECT_EQ(watchdog.afterStatus(Status::kStopped), Action::kRunStart);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStart), Action::kRunStatusForStart);
  EXPECT_EQ(watchdog.afterStatus(Status::kStarted), Action::kNone);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStart), Action::kRunStatusForStart);
  EXPECT_EQ(watchdog.afterStatus(Status::kUnknown), Action::kRunStart);
}

TEST(Watchdog, StopNeedsThresholdConsecutiveStops) {
  Watchdog watchdog(3);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kNone);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kNone);
  EXPECT_EQ(watchdog.consecutiveStops(), 2);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kRunStatusForStop);
  EXPECT_EQ(watchdog.afterStatus(Status::kStarted), Action::kRunStop);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kRunStatusForStop);
  EXPECT_EQ(watchdog.afterStatus(Status::kStopped), Action::kNone);
}

TEST(Watchdog, StartEndsAStreakAndFailedChecksNeitherExtendNorEndIt) {
  Watchdog watchdog(2);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kNone);
  EXPECT_EQ(watchdog.afterCondition(Condition::kInvalid), Action::kNone);
  EXPECT_EQ(watchdog.consecutiveStops(), 1);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kRunStatusForStop);
  EXPECT_EQ(watchdog.afterStatus(Status::kUnknown), Action::kRunStop);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStart), Action::kRunStatusForStart);
  EXPECT_EQ(watchdog.consecutiveStops(), 0);
  EXPECT_EQ(watchdog.afterStatus(Status::kStarted), Action::kNone);
  EXPECT_EQ(watchdog.afterCondition(Condition::kStop), Action::kNone);
}

TEST(Watchdog, AStatusWithoutAPendingQuestionDoesNothing) {
  Watchdog watchdog(1);
  EXPECT_EQ(watchdog.afterStatus(Status::kStopped), Action::kNone);
  EXPECT_EQ(watchdog.afterCondition(Condition::kInvalid), Action::kNone);
  EXPECT_EQ(watchdog.afterStatus(Status::kStopped), Action::kNone);
}

TEST(Watchdog, OutputsAreReadAsExactWordsAfterTrimming) {
  EXPECT_EQ(conditionFromOutput(true, "start\n"), Condition::kStart);
  EXPECT_EQ(conditionFromOutput(true, "  stop \n"), Condition::kStop);
  EXPECT_EQ(conditionFromOutput(true, "started"), Condition::kInvalid);
  EXPECT_EQ(conditionFromOutput(true, "start\nstop\n"), Condition::kInvalid);
  EXPECT_EQ(conditionFromOutput(false, "start"), Condition::kInvalid)
      << "a failing script runs nothing";
  EXPECT_EQ(statusFromOutput(true, "started\n"), Status::kStarted);
  EXPECT_EQ(statusFromOutput(true, "stopped"), Status::kStopped);
  EXPECT_EQ(statusFromOutput(true, "running"), Status::kUnknown);
  EXPECT_EQ(statusFromOutput(false, "stopped"), Status::kUnknown);
}

} // namespace
} // namespace harborrobot::failover

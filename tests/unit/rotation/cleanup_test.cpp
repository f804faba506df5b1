// planCleanup: each rule, and the robots it must never touch.
#include "harborrobot/rotation/cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace harborrobot::rotation {
namespace {

using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const TimePoint kStart = TimePoint{} + std::chrono::hours(24 * 365 * 50);

OurRobot robot(std::int64_t id, std::string ns, std::int64_t generation, TimePoint created,
               std::string cluster = "cluster-1", std::string bindingUid = "uid-b") {
  return {id, "robot$team+harbor-secret-for-team-" + ns + "-" + std::to_string(id),
          formatMarker({std::move(cluster), "harbor-secret-for-team", std::move(bindingUid),
                        std::move(ns), generation, "rot-" + std::to_string(generation)}),
          created};
}

std::vector<std::pair<std::int64_t, std::string>> summary(const CleanupPlan& plan) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const auto& deletion : plan.deletions) {
    out.emplace_back(deletion.id, std::string(cleanupReasonName(deletion.reason)));
  }
  return out;
}

class CleanupTest : public ::testing::Test {
protected:
  std::map<std::string, BindingTargets> bindings_{
      {"uid-b",
       {"uid-b",
        {{"team-ns1", {2, kStart + minutes(10), kStart + minutes(30)}},
         {"team-ns2", {1, kStart, kStart + minutes(30)}}}}}};
  CleanupPolicy policy_{minutes(5), minutes(15)};
};

TEST_F(CleanupTest, SupersededGoesOnlyAfterTheGracePeriod) {
  const std::vector<OurRobot> robots = {robot(1, "team-ns1", 1, kStart),
                                        robot(2, "team-ns1", 2, kStart + minutes(9))};
  const auto early = planCleanup(robots, "cluster-1", bindings_, policy_, kStart + minutes(14));
  EXPECT_THAT(early.deletions, IsEmpty());
  EXPECT_EQ(early.revisitAt, kStart + minutes(15));
  const auto due = planCleanup(robots, "cluster-1", bindings_, policy_, kStart + minutes(15));
  EXPECT_THAT(summary(due), ElementsAre(std::pair<std::int64_t, std::string>{1, "Superseded"}));
}

TEST_F(CleanupTest, TheActiveGenerationIsNeverDeleted) {
  const std::vector<OurRobot> robots = {robot(2, "team-ns1", 2, kStart),
                                        robot(3, "team-ns2", 1, kStart)};
  const auto plan =
      planCleanup(robots, "cluster-1", bindings_, policy_, kStart + std::chrono::hours(1000));
  EXPECT_THAT(plan.deletions, IsEmpty());
  EXPECT_EQ(plan.revisitAt, std::nullopt);
}

TEST_F(CleanupTest, NeverActivatedGoesAfterTheTimeoutOnlyIfTheAgentReportedWithoutIt) {
  // Created after the agent's last report: the agent may hold it; keep.
  const std::vector<OurRobot> silent = {robot(4, "team-ns2", 2, kStart + minutes(40))};
  EXPECT_THAT(planCleanup(silent, "cluster-1", bindings_, policy_, kStart + minutes(90)).deletions,
              IsEmpty());
  // Created before the last report, which still named generation 1: abandoned.
  const std::vector<OurRobot> disowned = {robot(5, "team-ns2", 2, kStart + minutes(20))};
  const auto waiting = planCleanup(disowned, "cluster-1", bindings_, policy_, kStart + minutes(34));
  EXPECT_THAT(waiting.deletions, IsEmpty());
  EXPECT_EQ(waiting.revisitAt, kStart + minutes(35));
  EXPECT_THAT(summary(planCleanup(disowned, "cluster-1", bindings_, policy_, kStart + minutes(35))),
              ElementsAre(std::pair<std::int64_t, std::string>{5, "NeverActivated"}));
}

TEST_F(CleanupTest, RobotsOfDeletedBindingsAndUntargetedNamespacesGo) {
  const std::vector<OurRobot> robots = {robot(6, "team-ns3", 1, kStart),
                                        robot(7, "team-ns1", 2, kStart, "cluster-1", "uid-gone")};
  EXPECT_THAT(summary(planCleanup(robots, "cluster-1", bindings_, policy_, kStart)),
              ElementsAre(std::pair<std::int64_t, std::string>{6, "NamespaceUntargeted"},
                          std::pair<std::int64_t, std::string>{7, "BindingDeleted"}));
}

TEST_F(CleanupTest, RobotsWithoutOurMarkerAreNeverTouched) {
  std::vector<OurRobot> robots = {robot(8, "team-ns3", 1, kStart, "other-cluster"),
                                  {9, "robot$team+ci", "built by hand for CI", kStart},
                                  {10, "robot$team+x", "", kStart}};
  auto edited = robot(11, "team-ns3", 1, kStart);
  edited.description += " (edited)";
  robots.push_back(edited);
  EXPECT_THAT(
      planCleanup(robots, "cluster-1", {}, policy_, kStart + std::chrono::hours(1000)).deletions,
      IsEmpty());
}

TEST(Marker, RoundTripsAndRejectsAnythingElse) {
  const OwnershipMarker marker{"c-1", "harbor-secret-for-team", "8f0c", "team-ns1", 42, "r-9"};
  const std::string text = formatMarker(marker);
  EXPECT_EQ(text, "managed-by=harborrobot; cluster=c-1; binding=harbor-secret-for-team/8f0c; "
                  "namespace=team-ns1; generation=42; rotation=r-9");
  EXPECT_EQ(parseMarker(text), marker);
  EXPECT_EQ(parseMarker(text + ";"), std::nullopt);
  EXPECT_EQ(parseMarker(text + " extra"), std::nullopt);
  for (const std::string bad :
       {"", "managed-by=harborrobot;", "managed-by=harborrobot; cluster=c-1",
        "managed-by=harborrobot; cluster=c-1; binding=b; namespace=n; generation=1; rotation=r",
        "managed-by=harborrobot; cluster=c-1; binding=b/u; namespace=n; generation=0; rotation=r",
        "managed-by=harborrobot; cluster=c-1; binding=b/u; namespace=n; generation=x; rotation=r",
        "managed-by=harborrobot; cluster=; binding=b/u; namespace=n; generation=1; rotation=r",
        "managed-by=harborrobot; binding=b/u; cluster=c; namespace=n; generation=1; rotation=r"}) {
    EXPECT_EQ(parseMarker(bad), std::nullopt) << bad;
  }
}

TEST_F(CleanupTest, AFrozenBindingKeepsEveryRobot) {
  // Its spec is invalid: superseded, untargeted and abandoned robots all stay
  // until the spec is fixed.
  bindings_["uid-b"].keepAll = true;
  const std::vector<OurRobot> robots = {robot(1, "team-ns1", 1, kStart),
                                        robot(2, "team-gone", 1, kStart),
                                        robot(3, "team-ns2", 5, kStart)};
  const auto plan =
      planCleanup(robots, "cluster-1", bindings_, policy_, kStart + std::chrono::hours(1000));
  EXPECT_THAT(plan.deletions, IsEmpty());
}

TEST_F(CleanupTest, AnotherKnownBindingsRobotsAreNotJudgedHere) {
  // Another binding on another connection to the same project: it exists, so
  // its robots are not "BindingDeleted", and its own reconcile judges them.
  bindings_["uid-other"] = {"uid-other", {}, true};
  const std::vector<OurRobot> robots = {robot(1, "team-ns1", 1, kStart, "cluster-1", "uid-other"),
                                        robot(2, "team-ns9", 7, kStart, "cluster-1", "uid-other"),
                                        robot(3, "team-ns1", 1, kStart, "cluster-1", "uid-gone")};
  const auto plan =
      planCleanup(robots, "cluster-1", bindings_, policy_, kStart + std::chrono::hours(1000));
  EXPECT_THAT(summary(plan),
              ElementsAre(std::pair<std::int64_t, std::string>{3, "BindingDeleted"}));
}

} // namespace
} // namespace harborrobot::rotation

// The agent fleet: the "removable agent" rule, and a sync against fake
// deployment and signals.
#include "harborrobot/hub/agent_fleet.h"

#include <gtest/gtest.h>

#include "harborrobot/hub/removable_agents.h"
#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

using namespace std::chrono;

const steady_clock::time_point kStart{hours(1000)};

TEST(RemovableAgents, RemovedOnceTheAgentReportsEmptyAfterLeaving) {
  RemovableAgents agents(minutes(10));
  EXPECT_FALSE(agents.mayRemove("ns1", kStart)); // untargeted from now on
  EXPECT_TRUE(agents.anyUntargeted());
  agents.reportedEmpty("ns1", kStart + seconds(5));
  EXPECT_TRUE(agents.mayRemove("ns1", kStart + seconds(6)));
  EXPECT_FALSE(agents.anyUntargeted()); // a removal forgets the namespace
}

TEST(RemovableAgents, AnEmptyReportBeforeLeavingDoesNotCount) {
  RemovableAgents agents(minutes(10));
  agents.reportedEmpty("ns1", kStart); // before any binding stopped targeting ns1
  EXPECT_FALSE(agents.mayRemove("ns1", kStart + seconds(1)));
  EXPECT_FALSE(agents.mayRemove("ns1", kStart + minutes(10) + seconds(1)));
  EXPECT_TRUE(agents.mayRemove("ns1", kStart + minutes(10) + seconds(2))); // timed out
}

TEST(RemovableAgents, TargetedAgainForgetsBoth) {
  RemovableAgents agents(minutes(10));
  EXPECT_FALSE(agents.mayRemove("ns1", kStart));
  agents.reportedEmpty("ns1", kStart + seconds(1));
  agents.targeted({"ns1"});
  EXPECT_FALSE(agents.anyUntargeted());
  // Leaving again starts over: the old empty report is forgotten.
  EXPECT_FALSE(agents.mayRemove("ns1", kStart + seconds(2)));
}

TEST(AgentFleet, SignalsOnlyWhenAgentsAreExternal) {
  testing::FakeSignalling signals;
  std::vector<milliseconds> requeues;
  AgentFleet fleet(
      signals, nullptr, [] { return ok(); },
      [&](milliseconds after) { requeues.push_back(after); });
  EXPECT_FALSE(fleet.reportedEmpty("ns1")); // no sync wanted: nothing to remove
  FleetView view{{"ns1"}, {{"ns1", "f1"}}};
  EXPECT_TRUE(fleet.sync(view));
  EXPECT_EQ(signals.last, view.fingerprints);
  EXPECT_TRUE(requeues.empty());
  signals.failing = true;
  EXPECT_TRUE(fleet.sync(view)); // retried later, not a failure of all
  EXPECT_EQ(requeues, std::vector<milliseconds>{seconds(10)});
}

TEST(AgentFleet, RemovesAnAgentOnlyAfterItsEmptyReport) {
  testing::FakeSignalling signals;
  testing::FakeDeployment deployment;
  std::vector<milliseconds> requeues;
  AgentFleet fleet(
      signals, &deployment, [] { return ok(); },
      [&](milliseconds after) { requeues.push_back(after); });
  ASSERT_TRUE(fleet.sync({{"ns1", "ns2"}, {}}));
  EXPECT_EQ(deployment.existing, (std::set<std::string>{"ns1", "ns2"}));

  ASSERT_TRUE(fleet.sync({{"ns1"}, {}})); // ns2 no longer targeted
  EXPECT_TRUE(deployment.removed.empty());
  EXPECT_EQ(requeues, std::vector<milliseconds>{seconds(30)}); // waiting for ns2's agent

  EXPECT_TRUE(fleet.reportedEmpty("ns2")); // a sync should follow
  ASSERT_TRUE(fleet.sync({{"ns1"}, {}}));
  EXPECT_EQ(deployment.removed, std::vector<std::string>{"ns2"});
  EXPECT_EQ(deployment.existing, std::set<std::string>{"ns1"});
}

TEST(AgentFleet, AReplicaPastItsLeaseRemovesNothing) {
  testing::FakeSignalling signals;
  testing::FakeDeployment deployment;
  AgentFleet fleet(
      signals, &deployment, [] { return Status(makeError(ErrorCode::kUnavailable, "lease lost")); },
      [](milliseconds) {});
  const auto synced = fleet.sync({{"ns1"}, {}});
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(deployment.deployed.empty());
  EXPECT_EQ(signals.calls, 1); // signals carry no deletion: they are kept current
}

} // namespace
} // namespace harborrobot::hub

// Leader election against the in-process API server, whose Leases carry real
// resourceVersion checks and MicroTimes; clocks are injected.
#include "harborrobot/kube/leader_election.h"

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "mocks/kube_api_server.h"

namespace harborrobot::kube {
namespace {

const std::string kNamespace = "harbor-robot-gen-system";
const std::string kLease = "harborrobot-hub";

Json storedLease(const testing::KubeApiServer& apiserver, const std::string& ns = kNamespace,
                 const std::string& name = kLease) {
  return apiserver.stored(resources::leases(), ns, name).value_or(Json());
}

// A replica's identity holds only what leader election needs on Leases.
RestConfig replicaConfig(testing::KubeApiServer& apiserver, const std::string& identity) {
  auto config =
      apiserver.serviceAccountConfig(kNamespace, identity,
                                     Json::array({{{"apiGroups", {"coordination.k8s.io"}},
                                                   {"resources", {"leases"}},
                                                   {"verbs", {"get", "create", "update"}}}}));
  if (!config) {
    throw std::runtime_error(config.error().message());
  }
  return *config;
}

struct Replica {
  Replica(testing::KubeApiServer& apiserver, const std::string& identity)
      : client(replicaConfig(apiserver, identity)),
        elector(
            client, {.ns = kNamespace, .name = kLease, .identity = identity},
            {.onStartedLeading = [this] { ++started; },
             .onStoppedLeading = [this] { ++stopped; },
             .onNewLeader = [this](const std::string& who) { newLeaders.push_back(who); }},
            [this] { return now; },
            [this] {
              // Wall time moves with this replica's steady clock.
              return std::chrono::system_clock::time_point{} +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         now.time_since_epoch());
            }) {}
  Client client;
  std::chrono::steady_clock::time_point now{};
  int started = 0;
  int stopped = 0;
  std::vector<std::string> newLeaders;
  LeaderElector elector;
};

TEST(LeaderElection, FirstReplicaCreatesTheLeaseAndTheSecondWaits) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Replica one(apiserver, "hub-a");
  Replica two(apiserver, "hub-b");
  auto first = one.elector.tryAcquireOrRenew();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(*first);
  EXPECT_EQ(storedLease(apiserver)["spec"]["holderIdentity"], "hub-a");
  EXPECT_EQ(storedLease(apiserver)["spec"]["leaseTransitions"], 0);
  EXPECT_EQ(storedLease(apiserver)["spec"]["renewTime"], "1970-01-01T00:00:00.000000Z");
  auto second = two.elector.tryAcquireOrRenew();
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(two.elector.leader(), "hub-a");
  EXPECT_EQ(two.newLeaders, std::vector<std::string>{"hub-a"});
}

TEST(LeaderElection, AStandbyTakesOverOnlyAfterTheLeaseWentUnrenewedForItsDuration) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Replica one(apiserver, "hub-a");
  Replica two(apiserver, "hub-b");
  ASSERT_TRUE(*one.elector.tryAcquireOrRenew());
  ASSERT_FALSE(*two.elector.tryAcquireOrRenew());
  two.now += std::chrono::seconds(14);
  EXPECT_FALSE(*two.elector.tryAcquireOrRenew()) << "14s < leaseDuration 15s";
  two.now += std::chrono::seconds(1);
  EXPECT_TRUE(*two.elector.tryAcquireOrRenew());
  EXPECT_EQ(storedLease(apiserver)["spec"]["holderIdentity"], "hub-b");
  EXPECT_EQ(storedLease(apiserver)["spec"]["leaseTransitions"], 1);
  // The old leader learns it lost the lease on its next renew.
  EXPECT_FALSE(*one.elector.tryAcquireOrRenew());
  EXPECT_EQ(one.elector.leader(), "hub-b");
}

TEST(LeaderElection, ARenewingLeaderIsNeverTakenOver) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Replica one(apiserver, "hub-a");
  Replica two(apiserver, "hub-b");
  ASSERT_TRUE(*one.elector.tryAcquireOrRenew());
  for (int round = 0; round < 10; ++round) {
    ASSERT_FALSE(*two.elector.tryAcquireOrRenew()) << "round " << round;
    two.now += std::chrono::seconds(10);
    one.now += std::chrono::seconds(10);
    // Each renewal writes a new renewTime, which the standby observes as progress.
    ASSERT_TRUE(one.elector.tryAcquireOrRenew().value());
  }
  EXPECT_EQ(storedLease(apiserver)["spec"]["holderIdentity"], "hub-a");
}

TEST(LeaderElection, LosingTheRaceToWriteTheLeaseIsNotAnError) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Replica one(apiserver, "hub-a");
  Replica two(apiserver, "hub-b");
  ASSERT_TRUE(*one.elector.tryAcquireOrRenew());
  ASSERT_FALSE(*two.elector.tryAcquireOrRenew());
  two.now += std::chrono::seconds(15);
  // Every Lease write now loses to another writer (409 Conflict).
  ASSERT_TRUE(apiserver.injectFaults({{"conflictResource", "leases"}}));
  auto takeover = two.elector.tryAcquireOrRenew();
  ASSERT_TRUE(takeover) << takeover.error().message();
  EXPECT_FALSE(*takeover) << "not the leader, and not an error";
  EXPECT_EQ(storedLease(apiserver)["spec"]["holderIdentity"], "hub-a");
  ASSERT_TRUE(apiserver.clearFaults());
  EXPECT_TRUE(*two.elector.tryAcquireOrRenew()) << "the next round takes over";
  EXPECT_EQ(storedLease(apiserver)["spec"]["holderIdentity"], "hub-b");
}

TEST(LeaderElection, RunLeadsThenReleasesTheLeaseOnStop) {
  testing::KubeApiServer apiserver({.namespaces = {"system"}});
  Client client(apiserver.adminConfig());
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  LeaderElector elector(
      client,
      {.ns = "system", .name = "hub", .identity = "hub-a", .retryPeriod = std::chrono::seconds(1)},
      {.onStartedLeading = [&] { ++started; }, .onStoppedLeading = [&] { ++stopped; }});
  std::thread runner([&] { elector.run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!elector.isLeader() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(elector.isLeader());
  stop = true;
  runner.join();
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_EQ(storedLease(apiserver, "system", "hub")["spec"]["holderIdentity"], "");
}

TEST(LeaderElection, StopsActingTheMomentTheRenewDeadlinePasses) {
  // The renewal is late (a blocked call, a stopped process): isLeader() says
  // no at once, before the loop runs again (its next round is 30 s away).
  testing::KubeApiServer apiserver({.namespaces = {"system"}});
  Client client(apiserver.adminConfig());
  std::atomic<bool> stop{false};
  std::atomic<int> late{0};
  LeaderElector elector(
      client,
      {.ns = "system", .name = "hub", .identity = "hub-a", .retryPeriod = std::chrono::seconds(30)},
      {}, [&] { return std::chrono::steady_clock::now() + std::chrono::seconds(late.load()); });
  std::thread runner([&] { elector.run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!elector.isLeader() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(elector.isLeader());
  late = 9;
  EXPECT_TRUE(elector.isLeader()) << "within the 10 s renew deadline";
  late = 10;
  EXPECT_FALSE(elector.isLeader()) << "the renew deadline has passed";
  stop = true;
  runner.join();
}

TEST(LeaderElection, MicroTimeFormat) {
  const auto time = std::chrono::system_clock::time_point{} + std::chrono::seconds(1747305221) +
                    std::chrono::microseconds(123456);
  EXPECT_EQ(formatMicroTime(time), "2025-05-15T10:33:41.123456Z");
}

} // namespace
} // namespace harborrobot::kube

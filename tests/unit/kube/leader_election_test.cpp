// Leader election against an HTTPS server that stores one Lease with
// resourceVersion checks, as the apiserver does; clocks are injected.
#include "harborrobot/kube/leader_election.h"

#include <mutex>
#include <thread>

#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

namespace harborrobot::kube {
namespace {

class LeaseStore {
public:
  LeaseStore()
      : server_([this](Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response,
                       auto&) { serve(request, response); }) {}

  Json lease() {
    std::lock_guard lock(mutex_);
    return lease_;
  }
  RestConfig config() const {
    RestConfig config;
    config.server = server_.url();
    config.tls.caPem = server_.authority().ca().certificatePem;
    return config;
  }

private:
  void reply(Poco::Net::HTTPServerResponse& response, int status, const Json& body) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.send() << body.dump();
  }
  Json status(int code, const std::string& reason) {
    return {{"kind", "Status"}, {"code", code}, {"reason", reason}, {"message", reason}};
  }
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::lock_guard lock(mutex_);
    const std::string method = request.getMethod();
    if (method == "GET") {
      lease_.is_null() ? reply(response, 404, status(404, "NotFound"))
                       : reply(response, 200, lease_);
    } else if (method == "POST") {
      if (!lease_.is_null()) {
        reply(response, 409, status(409, "AlreadyExists"));
        return;
      }
      lease_ = Json::parse(body);
      lease_["metadata"]["resourceVersion"] = std::to_string(++version_);
      reply(response, 201, lease_);
    } else if (method == "PUT") {
      Json update = Json::parse(body);
      if (update["metadata"]["resourceVersion"] != lease_["metadata"]["resourceVersion"]) {
        reply(response, 409, status(409, "Conflict"));
        return;
      }
      lease_ = update;
      lease_["metadata"]["resourceVersion"] = std::to_string(++version_);
      reply(response, 200, lease_);
    }
  }

  std::mutex mutex_;
  Json lease_;
  int version_ = 0;
  testing::HttpsTestServer server_;
};

struct Replica {
  Replica(LeaseStore& store, const std::string& identity)
      : client(store.config()),
        elector(
            client,
            {.ns = "harbor-robot-gen-system", .name = "harborrobot-hub", .identity = identity},
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
  LeaseStore store;
  Replica one(store, "hub-a");
  Replica two(store, "hub-b");
  auto first = one.elector.tryAcquireOrRenew();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(*first);
  EXPECT_EQ(store.lease()["spec"]["holderIdentity"], "hub-a");
  EXPECT_EQ(store.lease()["spec"]["leaseTransitions"], 0);
  EXPECT_EQ(store.lease()["spec"]["renewTime"], "1970-01-01T00:00:00.000000Z");
  auto second = two.elector.tryAcquireOrRenew();
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(two.elector.leader(), "hub-a");
  EXPECT_EQ(two.newLeaders, std::vector<std::string>{"hub-a"});
}

TEST(LeaderElection, AStandbyTakesOverOnlyAfterTheLeaseWentUnrenewedForItsDuration) {
  LeaseStore store;
  Replica one(store, "hub-a");
  Replica two(store, "hub-b");
  ASSERT_TRUE(*one.elector.tryAcquireOrRenew());
  ASSERT_FALSE(*two.elector.tryAcquireOrRenew());
  two.now += std::chrono::seconds(14);
  EXPECT_FALSE(*two.elector.tryAcquireOrRenew()) << "14s < leaseDuration 15s";
  two.now += std::chrono::seconds(1);
  EXPECT_TRUE(*two.elector.tryAcquireOrRenew());
  EXPECT_EQ(store.lease()["spec"]["holderIdentity"], "hub-b");
  EXPECT_EQ(store.lease()["spec"]["leaseTransitions"], 1);
  // The old leader learns it lost the lease on its next renew.
  EXPECT_FALSE(*one.elector.tryAcquireOrRenew());
  EXPECT_EQ(one.elector.leader(), "hub-b");
}

TEST(LeaderElection, ARenewingLeaderIsNeverTakenOver) {
  LeaseStore store;
  Replica one(store, "hub-a");
  Replica two(store, "hub-b");
  ASSERT_TRUE(*one.elector.tryAcquireOrRenew());
  for (int round = 0; round < 10; ++round) {
    ASSERT_FALSE(*two.elector.tryAcquireOrRenew()) << "round " << round;
    two.now += std::chrono::seconds(10);
    one.now += std::chrono::seconds(10);
    // Each renewal writes a new renewTime, which the standby observes as progress.
    ASSERT_TRUE(one.elector.tryAcquireOrRenew().value());
  }
  EXPECT_EQ(store.lease()["spec"]["holderIdentity"], "hub-a");
}

TEST(LeaderElection, RunLeadsThenReleasesTheLeaseOnStop) {
  LeaseStore store;
  Client client(store.config());
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
  EXPECT_EQ(store.lease()["spec"]["holderIdentity"], "");
}

TEST(LeaderElection, StopsActingTheMomentTheRenewDeadlinePasses) {
  // The renewal is late (a blocked call, a stopped process): isLeader() says
  // no at once, before the loop runs again (its next round is 30 s away).
  LeaseStore store;
  Client client(store.config());
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

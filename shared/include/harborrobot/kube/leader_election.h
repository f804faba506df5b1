// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
// a lease is taken over only after it went unrenewed for leaseDuration as seen by
// this process's own clock (so clock skew between replicas does not matter), and
// every write is conditional on the resourceVersion read.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "harborrobot/kube/client.h"

namespace harborrobot::kube {

struct LeaderElectionConfig {
  std::string ns{};
  std::string name{};
  std::string identity{}; // unique per replica, e.g. the pod name
  std::chrono::seconds leaseDuration{15};
  std::chrono::seconds renewDeadline{10};
  std::chrono::seconds retryPeriod{2};
};

struct LeaderCallbacks {
  std::function<void()> onStartedLeading{};
  std::function<void()> onStoppedLeading{};
  std::function<void(const std::string& identity)> onNewLeader{};
};

class LeaderElector {
public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks,
                SteadyClock steady = {}, WallClock wall = {});

  // One attempt to acquire or renew; true when this replica holds the lease now.
  // Errors are transport/API failures (the caller retries).
  [[nodiscard]] Result<bool> tryAcquireOrRenew();

  // Runs until `stop`: acquires, renews every retryPeriod, and gives up leadership
  // (onStoppedLeading) when it could not renew within renewDeadline. On stop while
  // leading it releases the lease so a standby takes over at once.
  void run(const std::atomic<bool>& stop);

  // True only while the last successful renewal is younger than renewDeadline,
  // read from the clock at each call: a replica whose renew call blocks, or
  // whose process was stopped, stops acting the moment the deadline passes,
  // before its loop notices (and long before a standby may take the lease).
  bool isLeader() const;
  std::string leader() const;

private:
  void setLeading(bool leading);
  [[nodiscard]] Status release();
  // This replica wrote the Lease with renewTime `stamp` at `now`.
  void wroteLease(const std::string& stamp, std::chrono::steady_clock::time_point now);

  Client& client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  SteadyClock steady_;
  WallClock wall_;

  std::atomic<bool> leading_{false};
  mutable std::mutex mutex_;
  std::string observedHolder_;
  std::string observedRenewTime_;
  std::chrono::steady_clock::time_point observedAt_{};
  std::optional<std::chrono::steady_clock::time_point> lastRenewed_;
};

// "2006-01-02T15:04:05.000000Z", the MicroTime format of Lease times.
std::string formatMicroTime(std::chrono::system_clock::time_point time);

} // namespace harborrobot::kube

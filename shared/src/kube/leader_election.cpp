// LeaderElector: the acquire/renew step and the loop around it.
#include "harborrobot/kube/leader_election.h"
#include "harborrobot/util/json_text.h"

#include <condition_variable>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace harborrobot::kube {

std::string formatMicroTime(std::chrono::system_clock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() %
      1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", std::chrono::floor<std::chrono::seconds>(time),
                     micros);
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks,
                             SteadyClock steady, WallClock wall)
    : client_(client), config_(std::move(config)), callbacks_(std::move(callbacks)),
      steady_(std::move(steady)), wall_(std::move(wall)) {
  if (!steady_) {
    steady_ = [] { return std::chrono::steady_clock::now(); };
  }
  if (!wall_) {
    wall_ = [] { return std::chrono::system_clock::now(); };
  }
}

bool LeaderElector::isLeader() const {
  if (!leading_.load()) {
    return false;
  }
  std::lock_guard lock(mutex_);
  return lastRenewed_ && steady_() - *lastRenewed_ < config_.renewDeadline;
}

std::string LeaderElector::leader() const {
  std::lock_guard lock(mutex_);
  return observedHolder_;
}

void LeaderElector::setLeading(bool leading) {
  if (leading_.exchange(leading) == leading) {
    return;
  }
  if (leading && callbacks_.onStartedLeading) {
    callbacks_.onStartedLeading();
  } else if (!leading && callbacks_.onStoppedLeading) {
    callbacks_.onStoppedLeading();
  }
}

Result<bool> LeaderElector::tryAcquireOrRenew() {
  const auto now = steady_();
  const std::string stamp = formatMicroTime(wall_());
  const Json mySpec = {{"holderIdentity", config_.identity},
                       {"leaseDurationSeconds", config_.leaseDuration.count()},
                       {"renewTime", stamp}};

  auto current = client_.get(resources::leases(), config_.ns, config_.name);
  if (!current) {
    if (current.error().code() != ErrorCode::kNotFound) {
      return makeError(current.error());
    }
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", config_.name}, {"namespace", config_.ns}}},
                  {"spec", mySpec}};
    lease["spec"]["acquireTime"] = stamp;
    lease["spec"]["leaseTransitions"] = 0;
    auto created = client_.create(resources::leases(), config_.ns, lease);
    if (!created) {
      // Another replica created it first: not an error, just not the leader.
      if (created.error().code() == ErrorCode::kAlreadyExists) {
        return false;
      }
      return makeError(created.error());
    }
    wroteLease(stamp, now);
    return true;
  }

  Json& lease = *current;
  const Json spec = objectField(lease, "spec");
  const std::string holder = stringField(spec, "holderIdentity");
  const std::string renewTime = stringField(spec, "renewTime");
  const auto duration = std::chrono::seconds(intField(spec, "leaseDurationSeconds", 0));
  bool expired = false;
  std::string previousHolder;
  {
    std::lock_guard lock(mutex_);
    previousHolder = observedHolder_;
    if (holder != observedHolder_ || renewTime != observedRenewTime_) {
      observedHolder_ = holder;
      observedRenewTime_ = renewTime;
      observedAt_ = now;
    }
    expired = holder.empty() || observedAt_ + duration <= now;
  }
  if (holder != previousHolder && !holder.empty() && callbacks_.onNewLeader) {
    callbacks_.onNewLeader(holder);
  }
  if (holder != config_.identity && !expired) {
    return false;
  }

  const bool takeover = holder != config_.identity;
  lease["spec"]["holderIdentity"] = config_.identity;
  lease["spec"]["leaseDurationSeconds"] = config_.leaseDuration.count();
  lease["spec"]["renewTime"] = stamp;
  if (takeover) {
    lease["spec"]["acquireTime"] = stamp;
    lease["spec"]["leaseTransitions"] = intField(spec, "leaseTransitions", 0) + 1;
  }
  auto written = client_.update(resources::leases(), config_.ns, lease);
  if (!written) {
    if (written.error().code() == ErrorCode::kConflict) {
      return false; // someone else wrote first; re-evaluate next round
    }
    return makeError(written.error());
  }
  wroteLease(stamp, now);
  return true;
}

void LeaderElector::wroteLease(const std::string& stamp,
                               std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  observedHolder_ = config_.identity;
  observedRenewTime_ = stamp;
  observedAt_ = now;
  lastRenewed_ = now;
}

Status LeaderElector::release() {
  auto released = client_.modify(resources::leases(), config_.ns, config_.name, [&](Json& lease) {
    if (stringAt(lease, "/spec/holderIdentity"_json_pointer) != config_.identity) {
      return Result<bool>(false);
    }
    lease["spec"]["holderIdentity"] = "";
    lease["spec"]["leaseDurationSeconds"] = 1;
    return Result<bool>(true);
  });
  if (!released) {
    return makeError(released.error());
  }
  return ok();
}

void LeaderElector::run(const std::atomic<bool>& stop) {
  std::mutex waitMutex;
  std::condition_variable neverNotified;
  while (!stop.load()) {
    auto held = tryAcquireOrRenew();
    if (held && *held) {
      setLeading(true);
    } else if (leading_.load()) {
      // Lost the lease, or could not renew within the deadline: stop acting at once
      // rather than risk two leaders.
      std::optional<std::chrono::steady_clock::time_point> renewed;
      {
        std::lock_guard lock(mutex_);
        renewed = lastRenewed_;
      }
      if ((held && !*held) || !renewed || steady_() - *renewed >= config_.renewDeadline) {
        setLeading(false);
      }
    }
    // Poll `stop` at least every 100ms so shutdown is prompt.
    const auto until = std::chrono::steady_clock::now() + config_.retryPeriod;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::unique_lock lock(waitMutex);
      neverNotified.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
  if (leading_.load()) {
    (void)release();
    setLeading(false);
  }
}

} // namespace harborrobot::kube

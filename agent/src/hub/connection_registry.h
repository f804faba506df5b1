// The connection Secrets of the hub's namespace (label harbor-robot-gen: "true"),
// parsed, each with its own HTTP client and provider, and checked against Harbor
// (reachable, version >= 2.12, the user an admin and not a robot). Only the hub
// reads these Secrets; the admin password never leaves this object.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harborrobot/http/https_client.h"
#include "harborrobot/hub/connection.h"
#include "harborrobot/hub/hub_metrics.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/plugin/host.h"

namespace harborrobot::agent::hub {

using Connection = ::harborrobot::hub::Connection;
using ::harborrobot::hub::HubMetrics;

class ConnectionRegistry final : public ::harborrobot::hub::Connections {
public:
  ConnectionRegistry(
      kube::Client& client, const plugin::Host& plugins, std::string ns, const Logger& logger,
      kube::EventRecorder& events, std::function<void()> onChange,
      const HubMetrics* metrics = nullptr, std::function<bool()> isLeader = [] { return true; });
  ~ConnectionRegistry() override;

  void start();
  bool waitForSync(std::chrono::milliseconds timeout) override;

  // nullptr when no connection Secret of that name exists.
  std::shared_ptr<const Connection> find(std::string_view name) const override;
  std::vector<std::shared_ptr<const Connection>> all() const;
  // Records each connection's current verdict as an event: called when this
  // replica becomes the leader, since only the leader records them.
  void announce();
  const std::string& ns() const override { return ns_; }

  // Checks again every connection that failed for a reason other than its own
  // content (Harbor unreachable, refused credentials, not an admin…), at most
  // once per `interval`: Harbor coming back, or a password fixed in Harbor,
  // is noticed without anyone touching the Secret.
  void recheckFailed(std::chrono::seconds interval);
  // Checks one connection again now: a call refused because Harbor went
  // read-only makes its bindings say so at once, not at the next recheck.
  void recheckNow(std::string_view name) override;

private:
  void countProblem(const std::string& reason);
  void recordVerdict(const kube::ObjectReference& reference, const Connection& connection);
  void upsert(const kube::Json& secret);
  void erase(const kube::Json& secret);

  kube::Client& client_;
  const plugin::Host& plugins_;
  std::string ns_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  std::function<void()> onChange_;
  const HubMetrics* metrics_;
  // Only the leader records events: two replicas would report every check twice.
  std::function<bool()> isLeader_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Connection>, std::less<>> connections_;
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> checkedAt_;
  std::unique_ptr<kube::Informer> informer_;
};

} // namespace harborrobot::agent::hub

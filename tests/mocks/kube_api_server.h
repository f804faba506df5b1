// An in-process Kubernetes API server for client tests: the project's simulator
// (tests/sim/kube) served over HTTPS on 127.0.0.1:<free port> for one test's life.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/resource.h"
#include "harborrobot/kube/rest_config.h"

namespace harborrobot::testing {

struct KubeApiServerOptions {
  // Created through the API at start, besides a fresh cluster's default,
  // kube-system, kube-public and kube-node-lease.
  std::vector<std::string> namespaces{};
  // Changes kept for watches to resume from (etcd's history before compaction):
  // a watch from an older resourceVersion gets 410 Expired.
  std::size_t watchHistory = 100000;
  // How long an idle watch that allows bookmarks waits for a BOOKMARK (the
  // simulator's default is 5 s; watches wake once a second, so 0 means "at
  // the next wake").
  std::chrono::milliseconds bookmarkAfterIdle{5000};
};

// One request as it reached the server, before authentication.
struct RecordedRequest {
  std::string method;
  std::string path;     // without the query
  std::string rawQuery; // still percent-encoded
  // The decoded value of a query parameter, "" when absent.
  std::string queryValue(std::string_view name) const;
  // A GET with ?watch=true (or 1), as the apiserver tells a watch from a list.
  bool isWatch() const;
};

class KubeApiServer {
public:
  // Starts serving before it returns; throws std::runtime_error when it cannot
  // (no PKI, no port, a namespace the API refused).
  explicit KubeApiServer(KubeApiServerOptions options = {});
  // Ends open watches, releases held ones and stops serving.
  ~KubeApiServer();
  KubeApiServer(const KubeApiServer&) = delete;
  KubeApiServer& operator=(const KubeApiServer&) = delete;

  std::string url() const; // https://127.0.0.1:<port>
  const std::string& caPem() const;

  // Connection settings for the administrator (system:masters, no RBAC checks).
  kube::RestConfig adminConfig() const;
  // A client with adminConfig(), for seeding objects through the real API
  // (validation, defaults, resourceVersions) and reading them back.
  kube::Client& admin() { return *admin_; }
  // Connection settings for ServiceAccount `ns`/`name` holding only `rules`
  // (a Role's rules in `ns`): the ServiceAccount, Role and RoleBinding are
  // created through the API and a one-hour token requested for it.
  [[nodiscard]] Result<kube::RestConfig>
  serviceAccountConfig(std::string_view ns, std::string_view name, const nlohmann::json& rules);

  // The stored objects themselves, read without a request (nothing is logged
  // or counted). `ns` is ignored for cluster-scoped types; "" lists every
  // namespace.
  std::optional<nlohmann::json> stored(const kube::ResourceType& type, std::string_view ns,
                                       std::string_view name) const;
  std::vector<nlohmann::json> storedList(const kube::ResourceType& type,
                                         std::string_view ns = {}) const;
  // Removes an object from storage with no request, as etcd does when a key's
  // lease runs out (the apiserver's Event TTL); watchers see DELETED. False
  // when it was not there.
  bool expireFromStorage(const kube::ResourceType& type, std::string_view ns,
                         std::string_view name);
  // The cluster's current resourceVersion (etcd's revision).
  std::uint64_t revision() const;

  // Replaces the fault plan (the simulator's /_sim/faults: latencyMs,
  // errorFraction, errorCode, conflictResource, conflictFraction,
  // outageSeconds, dropWatches, expireNextWatch, slowListResource, slowListMs);
  // the error names a field the plan got wrong.
  [[nodiscard]] Status injectFaults(const nlohmann::json& plan);
  // Ends every open watch cleanly, as the apiserver does when a watch times out.
  [[nodiscard]] Status dropWatches() { return injectFaults({{"dropWatches", true}}); }
  [[nodiscard]] Status clearFaults();

  // Every request received so far, in order of arrival.
  std::vector<RecordedRequest> requests() const;
  // Waits until the requests received so far satisfy `done`; false at the
  // deadline.
  bool waitForRequests(const std::function<bool(const std::vector<RecordedRequest>&)>& done,
                       std::chrono::milliseconds timeout);

  // While held, new watch requests wait before the API sees them, so a test
  // can change objects while no watch streams (a client that is reconnecting).
  void holdWatches();
  void releaseWatches();
  // Waits until `count` watch requests are waiting; false at the deadline.
  bool waitForHeldWatches(std::size_t count, std::chrono::milliseconds timeout);

private:
  struct Impl;
  class Handler;
  class HandlerFactory;
  // Stops serving and removes the state; the object is unusable afterwards.
  void stop();
  void record(RecordedRequest request);
  // Blocks a watch request while watches are held; false when shutting down.
  bool admitWatch();

  std::unique_ptr<Impl> impl_;
  std::unique_ptr<kube::Client> admin_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<RecordedRequest> requests_;
  bool holding_ = false;
  bool stopping_ = false;
  std::size_t held_ = 0;
};

} // namespace harborrobot::testing

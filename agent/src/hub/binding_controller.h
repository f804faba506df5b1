// The hub's controller for HarborRobotBindings: wires the informers and the work
// queue to the core's hub parts (harborrobot/hub/): the reconciler, the status
// writer, the robot cleanup, the agent fleet and the credential service behind
// the hub API. The per-namespace state lives in HarborRobotCredential records,
// so a restarted or newly elected hub continues where the last one was.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connection_registry.h"
#include "harborrobot/hub/agent_deployment.h"
#include "harborrobot/hub/agent_fleet.h"
#include "harborrobot/hub/agent_signals.h"
#include "harborrobot/hub/binding_catalog.h"
#include "harborrobot/hub/binding_reconciler.h"
#include "harborrobot/hub/binding_resolver.h"
#include "harborrobot/hub/binding_status_cache.h"
#include "harborrobot/hub/binding_status_writer.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/hub/credential_service.h"
#include "harborrobot/hub/hub_metrics.h"
#include "harborrobot/hub/robot_cleanup.h"
#include "harborrobot/hub/targets_cache.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/kube/work_queue.h"
#include "harborrobot/observability/logger.h"

namespace harborrobot::agent::hub {

struct HubSettings {
  std::string clusterId{};    // the kube-system namespace's UID
  std::string hubNamespace{}; // where connection Secrets live
  std::chrono::seconds pendingTimeout{std::chrono::minutes(15)};
  int workers = 2;
  // Only the leader reconciles; a standby drops its keys and gets every binding
  // queued again when it becomes the leader.
  std::function<bool()> isLeader = [] { return true; };
  // Managed agents; null when the agents are installed externally (GitOps).
  ::harborrobot::hub::AgentDeployment* agents = nullptr;
  const ::harborrobot::hub::HubMetrics* metrics = nullptr; // null: not counted (tests)
  // Never targets (reconcile::protectedNamespaces); empty in tests that target anything.
  std::set<std::string> protectedNamespaces{};
};

class BindingController {
public:
  BindingController(kube::Client& client, ConnectionRegistry& connections, HubSettings settings,
                    const Logger& logger, kube::EventRecorder& events);
  ~BindingController();

  void start();
  void stop();
  bool waitForSync(std::chrono::milliseconds timeout);
  // Whether the hub API may be served: every cache it reads has listed.
  bool servable() { return cachesSynced(); }
  // Every binding again (a connection changed).
  void enqueueAll();
  // What the hub API serves.
  ::harborrobot::hub::CredentialService& credentials() { return credentials_; }

  std::size_t queueDepth() const { return queue_.size(); }

private:
  void work();
  // Every cache the controller reads (bindings, namespaces, connections) has
  // listed: before that, nothing is reconciled, cleaned up or served.
  bool cachesSynced();
  // An error once this replica's lease is no longer current: checked right
  // before each deletion and status write.
  [[nodiscard]] Status stillLeading() const;
  [[nodiscard]] Status reconcile(const std::string& name);
  void schedule(const std::string& key, std::chrono::milliseconds after);

  kube::Client& client_;
  ConnectionRegistry& connections_;
  HubSettings settings_;
  const Logger& logger_;
  ::harborrobot::hub::AgentSignals signals_; // used by the agents' sync only (one worker at a time)
  kube::WorkQueue queue_;
  std::unique_ptr<kube::Informer> bindings_;
  std::unique_ptr<kube::Informer> namespaces_;
  ::harborrobot::hub::CredentialRecords records_;
  ::harborrobot::hub::BindingStatusCache statuses_;
  ::harborrobot::hub::TargetsCache targets_;
  ::harborrobot::hub::BindingResolver resolver_;
  ::harborrobot::hub::BindingCatalog catalog_;
  ::harborrobot::hub::BindingStatusWriter writer_;
  ::harborrobot::hub::RobotCleanup cleanup_;
  ::harborrobot::hub::AgentFleet fleet_;
  ::harborrobot::hub::CredentialService credentials_;
  ::harborrobot::hub::BindingReconciler reconciler_;
  std::vector<std::thread> workers_;
};

} // namespace harborrobot::agent::hub

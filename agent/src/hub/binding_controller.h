// The hub's reconciler for HarborRobotBindings, and the operations the hub API
// performs on their behalf. Bindings and namespaces come from informers; the
// per-namespace state (active generation, last report) lives in a
// HarborRobotCredential record in each target namespace, so a restarted or
// newly elected hub continues where the last one was.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent_deployer.h"
#include "agent_signals.h"
#include "connection_registry.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/kube/work_queue.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/reconcile/targets.h"
#include "harborrobot/rotation/cleanup.h"
#include "harborrobot/util/group_commit.h"
#include "hub_metrics.h"

namespace harborrobot::agent::hub {

inline constexpr std::string_view kRobotsFinalizer =
    "harbor-robot-gen.alaudadevops.alauda.io/robots";

struct HubSettings {
  std::string clusterId{};    // the kube-system namespace's UID
  std::string hubNamespace{}; // where connection Secrets live
  std::chrono::seconds pendingTimeout{std::chrono::minutes(15)};
  int workers = 2;
  // Only the leader reconciles; a standby drops its keys and gets every binding
  // queued again when it becomes the leader.
  std::function<bool()> isLeader = [] { return true; };
  // Managed agents; null when the agents are installed externally (GitOps).
  AgentDeployer* agents = nullptr;
  const HubMetrics* metrics = nullptr; // null: not counted (tests)
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

  // The hub API's operations for the agent of `ns`.
  [[nodiscard]] Result<std::vector<reconcile::AgentBinding>> bindingsFor(std::string_view ns);
  [[nodiscard]] Result<reconcile::IssuedCredential>
  issue(std::string_view ns, std::string_view binding, const reconcile::CredentialRequest& request);
  [[nodiscard]] Status activate(std::string_view ns, std::string_view binding,
                                const reconcile::Activation& activation);
  [[nodiscard]] Status report(std::string_view ns, const reconcile::AgentReport& report);

  std::size_t queueDepth() const { return queue_.size(); }

private:
  struct Resolved {
    HarborRobotBinding binding;
    std::shared_ptr<const Connection> connection;
    std::optional<reconcile::BindingProblem> problem;
    // The spec is invalid (problem InvalidSpec): `binding` holds the last valid
    // spec recorded in the status, or only the metadata when none is known
    // (frozenSpecGeneration 0).
    bool frozen = false;
    std::int64_t frozenSpecGeneration = 0;
  };

  void work();
  // Every cache the controller reads (bindings, namespaces, connections) has
  // listed: before that, nothing is reconciled, cleaned up or served.
  bool cachesSynced();
  // An error once this replica's lease is no longer current: checked right
  // before each deletion and status write.
  [[nodiscard]] Status stillLeading() const;
  [[nodiscard]] Status reconcile(const std::string& name);
  [[nodiscard]] Status finalize(const HarborRobotBinding& binding);
  [[nodiscard]] Status syncAgents();
  Resolved resolve(const kube::Json& object) const;
  // What the hub API tells the agent of `ns` about this binding (`ns` empty:
  // the parts common to every namespace).
  reconcile::AgentBinding agentViewOf(const Resolved& resolved, const kube::Json& object,
                                      std::string_view ns) const;
  std::vector<std::string> targetsOf(const BindingSpec& spec) const;
  // The namespaces the binding serves: its targets, or, frozen, the namespaces
  // holding its records that still exist (what was issued, nothing new).
  std::vector<std::string> targetsOf(const Resolved& resolved, const kube::Json& object) const;
  // The targets and the protected namespaces the spec selects but may not reach.
  reconcile::TargetSelection selectionOf(const BindingSpec& spec) const;
  // The binding's status, parsed once per resourceVersion.
  std::shared_ptr<const reconcile::BindingStatus> statusOf(const kube::Json& object) const;
  [[nodiscard]] Result<std::vector<plugin::CredentialSummary>>
  ourRobots(const Connection& connection, const std::string& project) const;
  using StatusChange = std::function<void(reconcile::BindingStatus&)>;
  // Applies `change` to the binding's stored status; returns once it is written.
  [[nodiscard]] Status writeStatus(const std::string& name, StatusChange change);
  [[nodiscard]] Status writeStatusBatch(const std::string& name,
                                        const std::vector<StatusChange>& changes);
  [[nodiscard]] Result<Resolved> bindingForAgent(std::string_view ns, std::string_view name);
  // Whether this hub issued `generation` for `ns` (only such a generation may
  // be activated): in its recent memory, or our robot for it is in Harbor.
  [[nodiscard]] Status wasIssued(const Resolved& resolved, std::string_view ns,
                                 std::int64_t generation);

  kube::Client& client_;
  ConnectionRegistry& connections_;
  HubSettings settings_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  AgentSignals signals_; // used by the agents' sync only (one worker at a time)
  kube::WorkQueue queue_;
  std::unique_ptr<kube::Informer> bindings_;
  std::unique_ptr<kube::Informer> namespaces_;
  ::harborrobot::hub::CredentialRecords records_;
  std::vector<std::thread> workers_;

  // Credentials handed out recently, by (namespace, binding, rotation id): a
  // retried request gets the same robot rather than a second one.
  struct Issued {
    reconcile::IssuedCredential credential;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex issuedMutex_;
  std::map<std::string, Issued> issued_;

  // Status writes of one binding are serialized and batched (a reconcile and the
  // summaries its records' changes queue).
  GroupCommit<StatusChange> statusCommit_;
  // The object each status write stored, so the next write starts from it
  // rather than from a GET (the watch may not have delivered it yet).
  std::mutex writtenMutex_;
  std::map<std::string, std::shared_ptr<const kube::Json>> lastWritten_;

  // Targets are recomputed only when a namespace is added, removed, relabelled
  // or starts terminating, or the binding's selection changes.
  mutable std::mutex targetsMutex_;
  std::atomic<std::uint64_t> namespacesVersion_{0};
  mutable std::uint64_t targetsVersion_ = ~std::uint64_t{0};
  mutable std::vector<reconcile::NamespaceInfo> namespaceInfos_;
  mutable std::map<std::string, reconcile::TargetSelection> targetsBySelection_;
  mutable std::mutex statusCacheMutex_;
  mutable std::map<std::string,
                   std::pair<std::string, std::shared_ptr<const reconcile::BindingStatus>>>
      statusCache_; // binding name → (resourceVersion, parsed status)

  // Namespaces whose agent reported no bindings (it has removed its Secrets),
  // and when: only then, or long after, is the agent itself removed.
  std::mutex cleanMutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> reportedEmpty_;
  std::map<std::string, std::chrono::steady_clock::time_point> untargetedSince_;
  // The last robot listing per binding: its inputs, when to list again anyway,
  // and the revisit it planned (guarded by cleanMutex_; failed listings are
  // never remembered).
  struct CleanupMemo {
    std::string inputs;
    std::chrono::system_clock::time_point nextListing;
    std::optional<std::chrono::system_clock::time_point> revisit;
  };
  std::map<std::string, CleanupMemo> cleanupMemo_;
  // Deletes the records of namespaces the binding no longer serves once no robot
  // of theirs is left in Harbor (`robots`: the project's robots of ours).
  void dropSettledRecords(const HarborRobotBinding& binding,
                          const std::vector<std::string>& targets,
                          const std::vector<plugin::CredentialSummary>& robots);
  // Makes sure the binding's robots are listed again by `when`, and queues the
  // binding then.
  void noteReadOnly(const std::string& connection, const Error& error);
  void revisitCleanupAt(const std::string& name, std::chrono::system_clock::time_point when);
};

} // namespace harborrobot::agent::hub

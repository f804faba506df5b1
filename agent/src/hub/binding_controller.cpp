#include "binding_controller.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/model/rotate_annotation.h"
#include "harborrobot/observability/redact.h"
#include "harborrobot/reconcile/targets.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/rotation/marker.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::agent::hub {

namespace {

using reconcile::BindingProblem;
using reconcile::BindingStatus;
using Clock = std::chrono::system_clock;

constexpr auto kResync = std::chrono::minutes(5);
constexpr auto kListingCoalesce = std::chrono::seconds(2);
// A listing also shows whether Harbor and the project are there: repeated at
// least this often, so an outage shows in the status within a minute.
constexpr auto kListingMaxAge = std::chrono::minutes(1);
constexpr auto kIssuedMemory = std::chrono::minutes(10);
// Not a binding name (those are DNS subdomains): the key of the agents' sync.
constexpr std::string_view kAgentsKey = "#agents";
constexpr auto kAgentCleanupTimeout = std::chrono::minutes(10);
constexpr auto kReportSummaryDelay = std::chrono::milliseconds(1000);
constexpr auto kAgentsCoalesce = std::chrono::milliseconds(500);

std::string nameOf(const kube::Json& object) {
  return object.value("/metadata/name"_json_pointer, std::string());
}

kube::ObjectReference referenceTo(const HarborRobotBinding& binding) {
  return {.apiVersion = std::string(kBindingApiVersion),
          .kind = std::string(kBindingKind),
          .name = binding.name,
          .uid = binding.uid};
}

std::vector<plugin::Permission> permissionsOf(const BindingSpec& spec) {
  std::vector<plugin::Permission> permissions;
  for (const auto& access : spec.access) {
    permissions.push_back({access.resource, access.action});
  }
  return permissions;
}

// The robot's short name, shortened where a long project name leaves less room
// in Harbor's 255-character stored name (resolve() refuses projects too long).
std::string robotNameOf(const HarborRobotBinding& binding, std::string_view ns,
                        std::string_view clusterId, std::int64_t generation) {
  const auto room = registry::robotNameRoom(binding.spec.project, kMinRobotNameLength);
  return robotNameFor(
      {binding.name, ns, clusterId, binding.uid, generation, room ? *room : kMinRobotNameLength});
}

// `kubectl harborrobot rotate`: one annotation for every namespace, one per
// namespace (and, for one release, the per-namespace key of 0.1).
std::optional<Clock::time_point> rotateRequestedAt(const kube::Json& object, std::string_view ns) {
  std::optional<Clock::time_point> latest;
  const auto annotations = objectField(objectField(object, "metadata"), "annotations");
  for (const std::string& key : rotateRequestKeysFor(ns)) {
    const std::string text = stringField(annotations, key);
    if (auto when = parseRfc3339(text, key); when && (!latest || *when > *latest)) {
      latest = *when;
    }
  }
  return latest;
}

// What the cleanup plan depends on, besides time: the spec generation, the
// targets and each namespace's activated generation once it supersedes an
// earlier one. A first activation supersedes nothing, so a thousand agents
// starting together do not each cause a listing of the project's robots.
std::string cleanupInputsOf(std::int64_t generation, const std::vector<std::string>& targets,
                            const reconcile::RecordLookup& records) {
  std::string inputs = fmt::format("{}|{}|", generation, fmt::join(targets, ","));
  for (const auto& ns : targets) {
    const auto* entry = records(ns);
    if (entry == nullptr || entry->secretGeneration <= 1) {
      continue;
    }
    inputs += fmt::format("{}:{}:{};", ns, entry->secretGeneration,
                          entry->activeSince ? formatRfc3339(*entry->activeSince) : "");
  }
  return inputs;
}

// Whether anything but the status (and the bookkeeping of every write) differs:
// compared field by field, since copying a status of thousands of namespaces on
// every event to compare the rest was itself a cost that grew with them.
bool differsOutsideStatus(const kube::Json& before, const kube::Json& after) {
  const auto differs = [](const kube::Json& a, const kube::Json& b,
                          std::initializer_list<std::string_view> ignored) {
    if (!a.is_object() || !b.is_object()) {
      return a != b;
    }
    const auto skipped = [&](const std::string& key) {
      return std::find(ignored.begin(), ignored.end(), key) != ignored.end();
    };
    for (const auto& [key, value] : a.items()) {
      if (!skipped(key) && (!b.contains(key) || b.at(key) != value)) {
        return true;
      }
    }
    for (const auto& [key, value] : b.items()) {
      if (!skipped(key) && !a.contains(key)) {
        return true;
      }
    }
    return false;
  };
  const auto metadataOf = [](const kube::Json& object) {
    return object.is_object() && object.contains("metadata") ? object.at("metadata")
                                                             : kube::Json::object();
  };
  return differs(before, after, {"status", "metadata"}) ||
         differs(metadataOf(before), metadataOf(after), {"resourceVersion", "managedFields"});
}

} // namespace

BindingController::BindingController(kube::Client& client, ConnectionRegistry& connections,
                                     HubSettings settings, const Logger& logger,
                                     kube::EventRecorder& events)
    : client_(client), connections_(connections), settings_(std::move(settings)), logger_(logger),
      events_(events), signals_(client, logger),
      records_(client, logger,
               [this](const std::string& binding) {
                 // The binding's summary follows within a second: one reconcile
                 // for the many records that change together, not one each.
                 queue_.addAfter(binding, kReportSummaryDelay);
               }),
      statusCommit_([this](const std::string& name, const std::vector<StatusChange>& changes) {
        return writeStatusBatch(name, changes);
      }) {}

BindingController::~BindingController() {
  stop();
}

void BindingController::start() {
  kube::InformerHandlers bindingHandlers;
  bindingHandlers.onAdd = [this](const kube::Json& object) { queue_.add(nameOf(object)); };
  bindingHandlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    // Status writes (the hub's own, one per agent report) need no reconcile: a
    // report queues its binding itself. Everything else does.
    if (differsOutsideStatus(before, after)) {
      queue_.add(nameOf(after));
    }
  };
  bindingHandlers.onDelete = [this](const kube::Json& object) {
    const std::string name = nameOf(object);
    {
      std::lock_guard lock(writtenMutex_);
      lastWritten_.erase(name);
    }
    {
      std::lock_guard lock(statusCacheMutex_);
      statusCache_.erase(name);
    }
    queue_.add(name);
  };
  bindingHandlers.onError = [this](const Error& error) {
    logger_.warn("watching bindings", {{"error", error.message()}});
  };
  kube::InformerOptions lean;
  lean.transform = kube::dropManagedFields;
  bindings_ = std::make_unique<kube::Informer>(client_, kube::resources::harborRobotBindings(),
                                               lean, std::move(bindingHandlers));
  // A namespace appearing, disappearing or changing labels can change any
  // binding's targets.
  kube::InformerHandlers namespaceHandlers;
  // The informer updates its cache before calling these, so a targets
  // computation that read the old version number recomputes next time.
  namespaceHandlers.onAdd = [this](const kube::Json&) {
    ++namespacesVersion_;
    enqueueAll();
  };
  namespaceHandlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    if (before.value("/metadata/labels"_json_pointer, kube::Json::object()) !=
            after.value("/metadata/labels"_json_pointer, kube::Json::object()) ||
        before.contains("/metadata/deletionTimestamp"_json_pointer) !=
            after.contains("/metadata/deletionTimestamp"_json_pointer) ||
        before.value("/status/phase"_json_pointer, std::string()) !=
            after.value("/status/phase"_json_pointer, std::string())) {
      ++namespacesVersion_;
      enqueueAll();
    }
  };
  namespaceHandlers.onDelete = [this](const kube::Json&) {
    ++namespacesVersion_;
    enqueueAll();
  };
  namespaces_ = std::make_unique<kube::Informer>(client_, kube::resources::namespaces(), lean,
                                                 std::move(namespaceHandlers));
  bindings_->start();
  namespaces_->start();
  records_.start();
  for (int i = 0; i < settings_.workers; ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

void BindingController::stop() {
  queue_.shutDown();
  for (auto& worker : workers_) {
    worker.join();
  }
  workers_.clear();
  if (bindings_) {
    bindings_->stop();
  }
  if (namespaces_) {
    namespaces_->stop();
  }
  records_.stop();
}

bool BindingController::waitForSync(std::chrono::milliseconds timeout) {
  return bindings_ && namespaces_ && bindings_->waitForSync(timeout) &&
         namespaces_->waitForSync(timeout) && records_.waitForSync(timeout);
}

void BindingController::enqueueAll() {
  if (!bindings_) {
    return;
  }
  for (const auto& object : bindings_->snapshot()) {
    queue_.add(nameOf(*object));
  }
}

void BindingController::work() {
  while (auto key = queue_.get()) {
    const auto started = std::chrono::steady_clock::now();
    auto done = reconcile(*key);
    if (settings_.metrics != nullptr) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      const std::string result = done ? "ok" : "error";
      settings_.metrics->reconciles->inc({result});
      settings_.metrics->reconcileSeconds->observe(took.count(), {result});
    }
    if (done) {
      queue_.forget(*key);
    } else {
      const auto delay = queue_.addRateLimited(*key);
      logger_.warn("reconcile failed", {{"binding", *key},
                                        {"error", done.error().message()},
                                        {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
    }
    queue_.done(*key);
  }
}

BindingController::Resolved BindingController::resolve(const kube::Json& object) const {
  Resolved resolved;
  auto parsed = parseBinding(object);
  if (!parsed) {
    // Frozen: what was issued under the last valid spec stays as it is (agents
    // keep their Secrets, no robot is deleted) until the spec is fixed.
    resolved.frozen = true;
    const auto metadata = objectField(object, "metadata");
    const auto& lastValid = statusOf(object)->lastValidSpec;
    std::optional<HarborRobotBinding> frozen;
    if (lastValid) {
      kube::Json copy = object;
      copy["spec"] = lastValid->spec;
      if (auto reparsed = parseBinding(copy)) {
        frozen = std::move(*reparsed);
      }
    }
    if (frozen) {
      resolved.binding = std::move(*frozen);
      resolved.frozenSpecGeneration = lastValid->generation;
    } else {
      resolved.binding.name = stringField(metadata, "name");
      resolved.binding.uid = stringField(metadata, "uid");
      resolved.binding.generation = intField(metadata, "generation", 0);
      resolved.binding.deleting = metadata.contains("deletionTimestamp");
    }
    resolved.problem = BindingProblem{
        "InvalidSpec",
        fmt::format("{}; the binding is frozen: {}", parsed.error().message(),
                    frozen ? fmt::format("the credentials issued under its last valid spec "
                                         "(generation {}) stay in place, nothing is rotated or "
                                         "deleted until the spec is fixed",
                                         lastValid->generation)
                           : std::string("no valid spec is known, so nothing is issued; what "
                                         "agents hold for it stays in place"))};
    if (!frozen) {
      return resolved;
    }
    // The connection is still resolved: a deletion of the binding removes the
    // robots of its last valid spec.
    const auto& spec = resolved.binding.spec;
    if (spec.connectionNamespace == connections_.ns()) {
      resolved.connection = connections_.find(spec.connectionName);
    }
    return resolved;
  }
  resolved.binding = std::move(*parsed);
  const auto& spec = resolved.binding.spec;
  if (spec.connectionNamespace != connections_.ns()) {
    resolved.problem = BindingProblem{
        "ConnectionOutsideHubNamespace",
        fmt::format("spec.harbor.secret.namespace is {}; the hub reads connection Secrets only "
                    "in {}",
                    spec.connectionNamespace, connections_.ns())};
    return resolved;
  }
  resolved.connection = connections_.find(spec.connectionName);
  if (!resolved.connection) {
    resolved.problem =
        BindingProblem{"ConnectionNotFound", fmt::format("no Secret {}/{} with label {}: \"true\"",
                                                         spec.connectionNamespace,
                                                         spec.connectionName, kConnectionLabel)};
  } else if (!resolved.connection->usable()) {
    resolved.problem =
        BindingProblem{resolved.connection->problemReason, resolved.connection->problemMessage};
  } else if (auto room = registry::robotNameRoom(spec.project, kMinRobotNameLength); !room) {
    resolved.problem = BindingProblem{"ProjectNameTooLong", room.error().message()};
  } else if (const auto version = registry::parseHarborVersion(
                 resolved.connection->server ? resolved.connection->server->version : "");
             version) {
    if (auto accepted = registry::checkAccessForVersion(spec.access, *version); !accepted) {
      resolved.problem = BindingProblem{"PermissionUnsupported", accepted.error().message()};
    }
  }
  return resolved;
}

std::vector<std::string> BindingController::targetsOf(const BindingSpec& spec) const {
  return selectionOf(spec).targets;
}

std::vector<std::string> BindingController::targetsOf(const Resolved& resolved,
                                                      const kube::Json& object) const {
  if (!resolved.frozen) {
    return targetsOf(resolved.binding.spec);
  }
  (void)object;
  std::vector<std::string> recorded = // sorted
      records_.namespacesOf(resolved.binding.name, resolved.binding.uid);
  std::erase_if(recorded, [&](const std::string& ns) { return !namespaces_->find("", ns); });
  return recorded;
}

reconcile::TargetSelection BindingController::selectionOf(const BindingSpec& spec) const {
  const std::string selection =
      fmt::format("{}|{}", fmt::join(spec.namespaceNames, ","),
                  spec.namespaceSelector ? "S" + spec.namespaceSelector->toString() : "-");
  const std::uint64_t version = namespacesVersion_.load();
  std::lock_guard lock(targetsMutex_);
  if (version != targetsVersion_) {
    namespaceInfos_.clear();
    for (const auto& object : namespaces_->snapshot()) {
      reconcile::NamespaceInfo info;
      info.name = nameOf(*object);
      info.terminating =
          object->contains("/metadata/deletionTimestamp"_json_pointer) ||
          object->value("/status/phase"_json_pointer, std::string()) == "Terminating";
      const auto labels = objectField(objectField(*object, "metadata"), "labels");
      for (const auto& [key, value] : labels.items()) {
        if (value.is_string()) {
          info.labels.emplace(key, value.get<std::string>());
        }
      }
      namespaceInfos_.push_back(std::move(info));
    }
    targetsBySelection_.clear();
    targetsVersion_ = version;
  }
  auto found = targetsBySelection_.find(selection);
  if (found == targetsBySelection_.end()) {
    found = targetsBySelection_
                .emplace(selection, reconcile::selectTargets(spec, namespaceInfos_,
                                                             settings_.protectedNamespaces))
                .first;
  }
  return found->second;
}

std::shared_ptr<const BindingStatus> BindingController::statusOf(const kube::Json& object) const {
  const std::string name = nameOf(object);
  const std::string version = object.value("/metadata/resourceVersion"_json_pointer, std::string());
  {
    std::lock_guard lock(statusCacheMutex_);
    if (const auto found = statusCache_.find(name);
        found != statusCache_.end() && found->second.first == version && !version.empty()) {
      return found->second.second;
    }
  }
  auto parsed = std::make_shared<const BindingStatus>(
      reconcile::parseBindingStatus(object.value("status", kube::Json::object())));
  std::lock_guard lock(statusCacheMutex_);
  statusCache_[name] = {version, parsed};
  return parsed;
}

Result<std::vector<plugin::CredentialSummary>>
BindingController::ourRobots(const Connection& connection, const std::string& project) const {
  return (*connection.provider)->listCredentials(project, rotation::kMarkerPrefix);
}

Status BindingController::writeStatus(const std::string& name, StatusChange change) {
  return statusCommit_.submit(name, std::move(change));
}

Status BindingController::writeStatusBatch(const std::string& name,
                                           const std::vector<StatusChange>& changes) {
  // The hub is the only writer of binding status; statusCommit_ runs one write
  // per binding at a time, so reconciles and agent reports never lose to each
  // other's 409s. A replica past its lease writes nothing.
  if (auto leading = stillLeading(); !leading) {
    return leading;
  }
  std::shared_ptr<const kube::Json> start = bindings_->find("", name);
  {
    std::lock_guard lock(writtenMutex_);
    if (const auto found = lastWritten_.find(name); found != lastWritten_.end()) {
      const auto versionOf = [](const kube::Json& object) {
        return object.value("/metadata/resourceVersion"_json_pointer, std::string());
      };
      if (start && versionOf(*start) == versionOf(*found->second)) {
        lastWritten_.erase(found); // the watch has caught up: keep one copy, not two
      } else {
        start = found->second;
      }
    }
  }
  const auto mutate = [&](kube::Json& object) -> Result<bool> {
    const BindingStatus before = *statusOf(object);
    BindingStatus after = before;
    for (const auto& change : changes) {
      change(after);
    }
    if (after == before && object.contains("status")) {
      return false;
    }
    object["status"] = reconcile::toJson(after);
    return true;
  };
  kube::WriteOptions options;
  options.subresource = "status";
  auto written =
      start ? client_.modifyFrom(*start, kube::resources::harborRobotBindings(), "", name, mutate,
                                 options)
            : client_.modify(kube::resources::harborRobotBindings(), "", name, mutate, options);
  std::lock_guard lock(writtenMutex_);
  if (!written) {
    lastWritten_.erase(name);
    return makeError(written.error());
  }
  lastWritten_[name] = std::make_shared<const kube::Json>(std::move(*written));
  return ok();
}

bool BindingController::cachesSynced() {
  constexpr auto kNow = std::chrono::milliseconds(0);
  return bindings_ && namespaces_ && bindings_->waitForSync(kNow) &&
         namespaces_->waitForSync(kNow) && records_.waitForSync(kNow) &&
         connections_.waitForSync(kNow);
}

Status BindingController::stillLeading() const {
  if (!settings_.isLeader()) {
    return makeError(ErrorCode::kUnavailable,
                     "this replica's lease is no longer current: it deletes and writes nothing");
  }
  return ok();
}

Status BindingController::reconcile(const std::string& name) {
  if (!settings_.isLeader()) {
    return ok();
  }
  if (!cachesSynced()) {
    // Acting on partial knowledge (bindings without namespaces, say) would
    // read every namespace as untargeted: wait for every cache.
    queue_.addAfter(name, std::chrono::milliseconds(500));
    return ok();
  }
  if (name == kAgentsKey) {
    return syncAgents();
  }
  // Agents and their signals follow every binding change, a moment later, so
  // the many reconciles of a busy minute share one pass over all namespaces.
  queue_.addAfter(std::string(kAgentsKey), kAgentsCoalesce);
  const auto object = bindings_->find("", name);
  if (!object) {
    return ok(); // gone: its finalizer already ran
  }
  const Resolved resolved = resolve(*object);
  const HarborRobotBinding& binding = resolved.binding;
  if (binding.deleting) {
    return finalize(binding);
  }
  const bool hasFinalizer = std::find(binding.finalizers.begin(), binding.finalizers.end(),
                                      kRobotsFinalizer) != binding.finalizers.end();
  if (!hasFinalizer && !resolved.frozen) {
    auto added = client_.modify(kube::resources::harborRobotBindings(), "", name,
                                [](kube::Json& current) -> Result<bool> {
                                  auto& finalizers = current["metadata"]["finalizers"];
                                  if (!finalizers.is_array()) {
                                    finalizers = kube::Json::array();
                                  }
                                  for (const auto& entry : finalizers) {
                                    if (entry == kRobotsFinalizer) {
                                      return false;
                                    }
                                  }
                                  finalizers.push_back(kRobotsFinalizer);
                                  return true;
                                });
    if (!added) {
      return makeError(added.error());
    }
  }

  // Release 0.1 kept each namespace's state in the binding: it becomes the
  // namespaces' records before the next status write drops it, so no active
  // generation is forgotten across the upgrade.
  for (const auto& legacy : statusOf(*object)->legacyNamespaces) {
    if (records_.find(name, binding.uid, legacy.name)) {
      continue;
    }
    if (auto leading = stillLeading(); !leading) {
      return leading;
    }
    auto moved = records_.update(name, binding.uid, legacy.name,
                                 [&](reconcile::NamespaceStatus& state) { state = legacy; });
    if (!moved) {
      return moved;
    }
  }
  std::vector<std::string> targets;
  std::vector<std::string> excluded;
  std::optional<BindingProblem> problem = resolved.problem;
  std::optional<Clock::time_point> revisit;
  if (resolved.frozen) {
    targets = targetsOf(resolved, *object); // what was issued: the status keeps it
  } else {
    auto selection = selectionOf(binding.spec);
    targets = std::move(selection.targets);
    excluded = std::move(selection.excluded);
  }
  // Listing the project's robots costs Harbor calls that grow with the number of
  // namespaces, so it runs only when its outcome can differ: the binding's
  // generation, targets or activated generations changed, a planned revisit (a
  // grace period ending) is due, or kResync passed. An agent report that changes
  // none of these (the common case) costs no Harbor call.
  const auto now = Clock::now();
  std::string cleanupInputs;
  records_.withRecords(name, binding.uid, [&](const reconcile::RecordLookup& records) {
    cleanupInputs = cleanupInputsOf(binding.generation, targets, records);
  });
  bool listingDue = true;
  if (!problem) {
    std::lock_guard lock(cleanMutex_);
    if (const auto memo = cleanupMemo_.find(name);
        memo != cleanupMemo_.end() && memo->second.inputs == cleanupInputs &&
        now < memo->second.nextListing && (!memo->second.revisit || now < *memo->second.revisit)) {
      listingDue = false;
      revisit = memo->second.revisit;
    }
  }
  if (!problem && listingDue) {
    auto robots = ourRobots(*resolved.connection, binding.spec.project);
    if (!robots) {
      problem = BindingProblem{robots.error().code() == ErrorCode::kNotFound ? "ProjectNotFound"
                                                                             : "HarborUnavailable",
                               robots.error().message()};
    } else {
      // This binding's robots are judged here; every other binding of the cluster
      // (on any connection, valid or not) only counts as existing: its own
      // reconcile judges its robots, and a frozen one keeps them all. Only a
      // robot whose binding UID is absent from the whole list goes as deleted.
      std::map<std::string, rotation::BindingTargets> known;
      for (const auto& other : bindings_->snapshot()) {
        const std::string uid = other->value("/metadata/uid"_json_pointer, std::string());
        if (uid.empty()) {
          continue;
        }
        rotation::BindingTargets entry;
        entry.bindingUid = uid;
        if (uid != binding.uid) {
          entry.keepAll = true;
          known.emplace(uid, std::move(entry));
          continue;
        }
        records_.withRecords(name, uid, [&](const reconcile::RecordLookup& records) {
          for (const auto& ns : targets) {
            rotation::ActiveGeneration active;
            if (const auto* recorded = records(ns)) {
              active.generation = recorded->secretGeneration;
              active.activeSince = recorded->activeSince.value_or(Clock::time_point{});
              active.lastReport = recorded->lastReportTime;
            }
            entry.namespaces.emplace(ns, active);
          }
        });
        known.emplace(uid, std::move(entry));
      }
      if (settings_.metrics != nullptr) {
        settings_.metrics->robotsManaged->set(static_cast<double>(robots->size()), {name});
      }
      std::vector<rotation::OurRobot> ours;
      for (const auto& robot : *robots) {
        ours.push_back({robot.id, robot.username, robot.description, robot.createdAt});
      }
      const auto plan = rotation::planCleanup(
          ours, settings_.clusterId, known,
          {std::chrono::duration_cast<std::chrono::seconds>(binding.spec.gracePeriod),
           settings_.pendingTimeout},
          Clock::now());
      for (const auto& deletion : plan.deletions) {
        if (auto leading = stillLeading(); !leading) {
          return leading;
        }
        auto removed =
            (*resolved.connection->provider)->deleteCredential(binding.spec.project, deletion.id);
        if (!removed) {
          noteReadOnly(binding.spec.connectionName, removed.error());
          return makeError(removed.error());
        }
        logger_.info("robot deleted", {{"binding", name},
                                       {"robot", deletion.username},
                                       {"reason", rotation::cleanupReasonName(deletion.reason)}});
        (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "RobotDeleted",
                             fmt::format("deleted {} ({})", deletion.username,
                                         rotation::cleanupReasonName(deletion.reason)));
      }
      revisit = plan.revisitAt;
      std::erase_if(*robots, [&](const plugin::CredentialSummary& robot) {
        return std::any_of(plan.deletions.begin(), plan.deletions.end(),
                           [&](const auto& deletion) { return deletion.id == robot.id; });
      });
      dropSettledRecords(binding, targets, *robots);
    }
    std::lock_guard lock(cleanMutex_);
    if (problem) {
      cleanupMemo_.erase(name); // a failed listing is tried again, never remembered
    } else {
      cleanupMemo_[name] = {cleanupInputs, now + kListingMaxAge, revisit};
    }
  }
  const std::string registryUrl = resolved.connection ? resolved.connection->settings.url : "";
  bool newlyExcluded = false;
  bool newlyFrozen = false;
  bool unfrozen = false;
  std::optional<reconcile::LastValidSpec> validSpec;
  if (!resolved.frozen) {
    validSpec =
        reconcile::LastValidSpec{binding.generation, object->value("spec", kube::Json::object())};
  }
  auto written = writeStatus(name, [&](BindingStatus& status) {
    const auto* before = status.condition(reconcile::kNamespacesExcludedCondition);
    const std::string excludedBefore = before != nullptr ? before->message : "";
    const auto* readyBefore = status.condition("Ready");
    const bool wasFrozen = readyBefore != nullptr && readyBefore->reason == "InvalidSpec";
    newlyFrozen =
        resolved.frozen && (!wasFrozen || readyBefore->message != redactSecrets(problem->message));
    unfrozen = !resolved.frozen && wasFrozen;
    records_.withRecords(name, binding.uid, [&](const reconcile::RecordLookup& records) {
      status = reconcile::summarize(
          {binding.generation, targets, problem, registryUrl, excluded, validSpec}, records, status,
          Clock::now());
    });
    const auto* after = status.condition(reconcile::kNamespacesExcludedCondition);
    newlyExcluded = after != nullptr && after->message != excludedBefore;
  });
  if (written && newlyFrozen) {
    logger_.warn("binding frozen: invalid spec", {{"binding", name}, {"error", problem->message}});
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning, "InvalidSpec",
                         problem->message);
  }
  if (written && unfrozen) {
    logger_.info("binding unfrozen: the spec is valid again", {{"binding", name}});
    (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "SpecValid",
                         "the spec is valid again; credentials follow it");
  }
  if (written && newlyExcluded) {
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning,
                         reconcile::kProtectedNamespaceReason,
                         reconcile::protectedNamespacesMessage(excluded));
  }
  if (!written) {
    return written;
  }
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(kResync);
  if (problem && (problem->reason == "HarborUnavailable" || problem->reason == "ProjectNotFound" ||
                  problem->reason == "HarborReadOnly")) {
    delay = std::chrono::seconds(10); // Harbor may be back, the project made, any moment
  }
  if (revisit) {
    const auto until =
        std::chrono::duration_cast<std::chrono::milliseconds>(*revisit - Clock::now());
    delay = std::clamp(until, std::chrono::milliseconds(100), delay);
  }
  queue_.addAfter(name, delay);
  return ok();
}

Status BindingController::syncAgents() {
  std::set<std::string> namespaces;
  // Each target namespace's fingerprint: what its agent is told, minus what
  // only agents change (the active generation), so their own progress does
  // not wake them.
  std::map<std::string, std::string> views;
  for (const auto& object : bindings_->snapshot()) {
    const Resolved resolved = resolve(*object);
    const auto& binding = resolved.binding;
    // The hub API's own wire form of the view, so no field can be left out.
    const std::string view =
        fmt::format("{}{};", jsonText(reconcile::toJson(agentViewOf(resolved, *object, ""))),
                    binding.deleting ? "deleting" : "");
    for (const auto& ns : targetsOf(resolved, *object)) {
      if (!binding.deleting) {
        namespaces.insert(ns);
      }
      auto& text = views[ns];
      text += view;
      if (const auto rotate = rotateRequestedAt(*object, ns)) {
        text += formatRfc3339(*rotate) + ";";
      }
    }
  }
  std::map<std::string, std::string> fingerprints;
  for (const auto& [ns, text] : views) {
    fingerprints.emplace(ns, fmt::format("{:016x}", std::hash<std::string>{}(text)));
  }
  Status signalled = signals_.sync(fingerprints);
  if (settings_.agents == nullptr) {
    if (!signalled) {
      queue_.addAfter(std::string(kAgentsKey), std::chrono::seconds(10));
    }
    return ok(); // a namespace that cannot be signalled is retried, not a failure of all
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(cleanMutex_);
  std::erase_if(untargetedSince_,
                [&](const auto& entry) { return namespaces.contains(entry.first); });
  for (const auto& ns : namespaces) {
    reportedEmpty_.erase(ns);
  }
  if (auto leading = stillLeading(); !leading) {
    return leading; // agents are removed by a current leader only
  }
  auto synced = settings_.agents->sync(namespaces, [&](const std::string& ns) {
    const auto since = untargetedSince_.try_emplace(ns, now).first->second;
    const auto empty = reportedEmpty_.find(ns);
    // The agent said it holds nothing (after the namespace stopped being a
    // target), or it has had ample time to: an agent that cannot clean up
    // (crash-looping, namespace going away) does not keep its Deployment forever.
    const bool removable = (empty != reportedEmpty_.end() && empty->second >= since) ||
                           now - since > kAgentCleanupTimeout;
    if (removable) {
      untargetedSince_.erase(ns);
      reportedEmpty_.erase(ns);
    }
    return removable;
  });
  if (synced && !untargetedSince_.empty()) {
    queue_.addAfter(std::string(kAgentsKey), std::chrono::seconds(30));
  }
  if (!signalled) {
    queue_.addAfter(std::string(kAgentsKey), std::chrono::seconds(10));
  }
  return synced;
}

Status BindingController::finalize(const HarborRobotBinding& binding) {
  const bool hasFinalizer = std::find(binding.finalizers.begin(), binding.finalizers.end(),
                                      kRobotsFinalizer) != binding.finalizers.end();
  if (!hasFinalizer) {
    return ok();
  }
  const auto connection = connections_.find(binding.spec.connectionName);
  if (connection && connection->usable()) {
    auto robots = ourRobots(*connection, binding.spec.project);
    if (!robots && robots.error().code() != ErrorCode::kNotFound) {
      return makeError(robots.error()); // Harbor down: keep the finalizer and retry
    }
    if (robots) {
      for (const auto& robot : *robots) {
        const auto marker = rotation::parseMarker(robot.description);
        if (!marker || marker->clusterId != settings_.clusterId ||
            marker->bindingUid != binding.uid) {
          continue;
        }
        if (auto leading = stillLeading(); !leading) {
          return leading;
        }
        auto removed = (*connection->provider)->deleteCredential(binding.spec.project, robot.id);
        if (!removed) {
          noteReadOnly(binding.spec.connectionName, removed.error());
          return makeError(removed.error());
        }
        logger_.info(
            "robot deleted",
            {{"binding", binding.name}, {"robot", robot.username}, {"reason", "BindingDeleted"}});
      }
    }
  } else {
    // Without a usable connection the robots cannot be reached; they expire on
    // their own (their duration is the backstop). Say so rather than block.
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning, "RobotsNotDeleted",
                         fmt::format("connection {} is not usable; this binding's robots in "
                                     "project {} are left to expire",
                                     binding.spec.connectionName, binding.spec.project));
  }
  auto removed = client_.modify(kube::resources::harborRobotBindings(), "", binding.name,
                                [](kube::Json& current) -> Result<bool> {
                                  auto& finalizers = current["metadata"]["finalizers"];
                                  if (!finalizers.is_array()) {
                                    return false;
                                  }
                                  const auto before = finalizers.size();
                                  finalizers.erase(std::remove(finalizers.begin(), finalizers.end(),
                                                               kube::Json(kRobotsFinalizer)),
                                                   finalizers.end());
                                  return finalizers.size() != before;
                                });
  if (!removed && removed.error().code() != ErrorCode::kNotFound) {
    return makeError(removed.error());
  }
  return ok();
}

Result<BindingController::Resolved> BindingController::bindingForAgent(std::string_view ns,
                                                                       std::string_view name) {
  const auto object = bindings_->find("", name);
  if (!object) {
    return makeError(ErrorCode::kNotFound, fmt::format("binding {} not found", name));
  }
  Resolved resolved = resolve(*object);
  // A frozen binding is served (reports are recorded) in the namespaces it
  // already serves; issue() and activate() refuse it.
  const auto targets = targetsOf(resolved, *object);
  if (!std::binary_search(targets.begin(), targets.end(), ns)) {
    return makeError(ErrorCode::kNotFound,
                     fmt::format("binding {} does not target namespace {}", name, ns));
  }
  return resolved;
}

reconcile::AgentBinding BindingController::agentViewOf(const Resolved& resolved,
                                                       const kube::Json& object,
                                                       std::string_view ns) const {
  const auto& spec = resolved.binding.spec;
  reconcile::AgentBinding entry;
  entry.name = resolved.binding.name;
  entry.uid = resolved.binding.uid;
  entry.generation = resolved.binding.generation;
  entry.secretName = spec.generatedSecretName;
  entry.serviceAccountName = spec.serviceAccountName;
  entry.project = spec.project;
  entry.access = spec.access;
  entry.refreshInterval = spec.refreshInterval;
  // Without a connection the agent keeps what it has: an empty URL says "no
  // new credential can be had", never "delete".
  std::optional<std::string> aliasUrl;
  if (resolved.connection && resolved.connection->problemReason != "InvalidConnection") {
    const auto& settings = resolved.connection->settings;
    entry.registryUrl = settings.url;
    entry.registryCaPem = settings.caPem; // public: lets the agent check credentials over TLS
    if (settings.alias) {
      entry.alias = reconcile::AliasSettings{*settings.alias, settings.aliasPolicy,
                                             settings.aliasIps, settings.aliasCheckInterval};
      aliasUrl = settings.alias;
    }
  }
  entry.specHash = reconcile::credentialSpecHash(spec, entry.registryUrl, aliasUrl);
  if (!ns.empty()) {
    if (const auto recorded = records_.find(resolved.binding.name, resolved.binding.uid, ns)) {
      entry.activeGeneration = recorded->secretGeneration;
    }
  }
  entry.rotateRequestedAt = rotateRequestedAt(object, ns);
  entry.frozen = resolved.frozen;
  return entry;
}

Result<std::vector<reconcile::AgentBinding>> BindingController::bindingsFor(std::string_view ns) {
  std::vector<reconcile::AgentBinding> result;
  for (const auto& object : bindings_->snapshot()) {
    const Resolved resolved = resolve(*object);
    const auto targets = targetsOf(resolved, *object); // frozen: what was issued
    if (!std::binary_search(targets.begin(), targets.end(), ns)) {
      continue;
    }
    result.push_back(agentViewOf(resolved, *object, ns));
  }
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return result;
}

Result<reconcile::IssuedCredential>
BindingController::issue(std::string_view ns, std::string_view name,
                         const reconcile::CredentialRequest& request) {
  auto resolved = bindingForAgent(ns, name);
  if (!resolved) {
    return makeError(resolved.error());
  }
  if (resolved->problem) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{}: {}", resolved->problem->reason, resolved->problem->message));
  }
  const HarborRobotBinding& binding = resolved->binding;
  const std::string key = fmt::format("{}/{}/{}", ns, name, request.rotationId);
  const auto steadyNow = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(issuedMutex_);
    std::erase_if(issued_, [&](const auto& entry) { return entry.second.until < steadyNow; });
    if (const auto found = issued_.find(key); found != issued_.end()) {
      return found->second.credential;
    }
  }
  const auto recorded = records_.find(binding.name, binding.uid, ns);
  if (recorded && request.generation <= recorded->secretGeneration) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("generation {} is not newer than the active generation {}",
                                 request.generation, recorded->secretGeneration));
  }
  const auto& provider = *resolved->connection->provider;
  const std::string robotName = robotNameOf(binding, ns, settings_.clusterId, request.generation);
  plugin::CredentialRequest create;
  create.project = binding.spec.project;
  create.name = robotName;
  create.description =
      rotation::formatMarker({settings_.clusterId, binding.name, binding.uid, std::string(ns),
                              request.generation, request.rotationId});
  create.access = permissionsOf(binding.spec);
  create.lifetime = binding.spec.robotLifetime;
  auto credential = provider->createCredential(create);
  if (!credential && credential.error().code() == ErrorCode::kAlreadyExists) {
    // An earlier attempt at this generation whose answer was lost: its secret
    // cannot be read back from Harbor, so it is replaced (it was never active).
    // Only this rare case lists the project's robots; a listing per issue made
    // the hub's Harbor traffic grow with the square of the namespaces.
    auto robots = ourRobots(*resolved->connection, binding.spec.project);
    if (!robots) {
      return makeError(robots.error());
    }
    for (const auto& robot : *robots) {
      const auto marker = rotation::parseMarker(robot.description);
      if (marker && marker->clusterId == settings_.clusterId && marker->bindingUid == binding.uid &&
          marker->ns == ns && marker->generation == request.generation) {
        if (auto removed = provider->deleteCredential(binding.spec.project, robot.id); !removed) {
          return makeError(removed.error());
        }
      }
    }
    credential = provider->createCredential(create);
  }
  if (!credential) {
    noteReadOnly(binding.spec.connectionName, credential.error());
    if (isTransient(credential.error().code())) {
      // Harbor is failing: the next reconcile lists again, so the status says so.
      {
        std::lock_guard lock(cleanMutex_);
        cleanupMemo_.erase(binding.name);
      }
      queue_.add(binding.name);
    }
    return makeError(credential.error());
  }
  reconcile::IssuedCredential issued{credential->username, credential->secret, request.generation,
                                     robotName, credential->expiresAt};
  {
    std::lock_guard lock(issuedMutex_);
    issued_[key] = {issued, steadyNow + kIssuedMemory};
  }
  logger_.info("credential issued", {{"binding", binding.name},
                                     {"namespace", ns},
                                     {"robot", credential->username},
                                     {"generation", request.generation}});
  (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "RobotCreated",
                       fmt::format("created {} (generation {}) for namespace {}",
                                   credential->username, request.generation, ns));
  // Should this robot never be activated, it is due for deletion after the
  // pending timeout: the listing then finds it (no listing is needed now).
  revisitCleanupAt(binding.name, Clock::now() + settings_.pendingTimeout + std::chrono::seconds(1));
  return issued;
}

void BindingController::dropSettledRecords(const HarborRobotBinding& binding,
                                           const std::vector<std::string>& targets,
                                           const std::vector<plugin::CredentialSummary>& robots) {
  for (const auto& ns : records_.namespacesOf(binding.name, binding.uid)) {
    if (std::binary_search(targets.begin(), targets.end(), ns)) {
      continue;
    }
    // The record is the hub's memory of what the namespace holds: forgotten only
    // once Harbor shows no robot of the namespace left to account for.
    const bool robotLeft = std::any_of(robots.begin(), robots.end(), [&](const auto& robot) {
      const auto marker = rotation::parseMarker(robot.description);
      return marker && marker->clusterId == settings_.clusterId &&
             marker->bindingUid == binding.uid && marker->ns == ns;
    });
    if (robotLeft || !stillLeading()) {
      continue;
    }
    if (auto removed = records_.remove(binding.name, ns); !removed) {
      logger_.warn(
          "deleting a settled credential record",
          {{"binding", binding.name}, {"namespace", ns}, {"error", removed.error().message()}});
    }
  }
}

void BindingController::noteReadOnly(const std::string& connection, const Error& error) {
  if (registry::isReadOnlyError(error)) {
    // The connection is checked again now, so every binding on it says
    // HarborReadOnly at once and waits, instead of failing call after call.
    connections_.recheckNow(connection);
  }
}

void BindingController::revisitCleanupAt(const std::string& name, Clock::time_point when) {
  {
    std::lock_guard lock(cleanMutex_);
    if (auto memo = cleanupMemo_.find(name); memo != cleanupMemo_.end()) {
      memo->second.revisit = std::min(memo->second.revisit.value_or(when), when);
    }
  }
  queue_.addAfter(name, std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::max(when - Clock::now(), Clock::duration::zero())));
}

Status BindingController::wasIssued(const Resolved& resolved, std::string_view ns,
                                    std::int64_t generation) {
  if (const auto recorded = records_.find(resolved.binding.name, resolved.binding.uid, ns);
      recorded && generation <= recorded->secretGeneration) {
    return ok(); // already recorded (or older, which changes nothing)
  }
  {
    std::lock_guard lock(issuedMutex_);
    const std::string prefix = fmt::format("{}/{}/", ns, resolved.binding.name);
    for (const auto& [key, entry] : issued_) {
      if (key.starts_with(prefix) && entry.credential.generation == generation) {
        return ok();
      }
    }
  }
  // Not in this hub's memory (it restarted since, or another replica issued
  // it): Harbor must hold our robot for exactly this generation.
  if (!resolved.connection || !resolved.connection->usable()) {
    return makeError(ErrorCode::kUnavailable,
                     "the connection is not usable: the generation cannot be checked now");
  }
  auto robots = ourRobots(*resolved.connection, resolved.binding.spec.project);
  if (!robots) {
    return makeError(robots.error());
  }
  for (const auto& robot : *robots) {
    const auto marker = rotation::parseMarker(robot.description);
    if (marker && marker->clusterId == settings_.clusterId &&
        marker->bindingUid == resolved.binding.uid && marker->ns == ns &&
        marker->generation == generation) {
      return ok();
    }
  }
  return makeError(ErrorCode::kPermissionDenied,
                   fmt::format("generation {} of binding {} was never issued for namespace {}",
                               generation, resolved.binding.name, ns));
}

Status BindingController::activate(std::string_view ns, std::string_view name,
                                   const reconcile::Activation& activation) {
  auto resolved = bindingForAgent(ns, name);
  if (!resolved) {
    return makeError(resolved.error());
  }
  if (resolved->frozen) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{}: {}", resolved->problem->reason, resolved->problem->message));
  }
  if (auto issued = wasIssued(*resolved, ns, activation.generation); !issued) {
    return issued;
  }
  const auto now = Clock::now();
  const std::string robotName =
      robotNameOf(resolved->binding, ns, settings_.clusterId, activation.generation);
  const std::string registryUrl = resolved->connection ? resolved->connection->settings.url : "";
  bool supersedes = false;
  auto written = records_.update(resolved->binding.name, resolved->binding.uid, std::string(ns),
                                 [&](reconcile::NamespaceStatus& state) {
                                   if (activation.generation < state.secretGeneration) {
                                     return; // a late, older activation never moves the record back
                                   }
                                   if (activation.generation > state.secretGeneration) {
                                     state.activeSince = now;
                                     state.lastRefreshTime = now;
                                   }
                                   supersedes = activation.generation > 1;
                                   state.secretGeneration = activation.generation;
                                   state.robotName = robotName;
                                   state.harbor = registryUrl;
                                 });
  if (written && supersedes) {
    // An older robot is now superseded. Many agents activate at once: their
    // robots are listed together a moment later, not once each.
    revisitCleanupAt(std::string(name), Clock::now() + kListingCoalesce);
  }
  return written;
}

Status BindingController::report(std::string_view ns, const reconcile::AgentReport& report) {
  const auto now = Clock::now();
  if (report.bindings.empty()) {
    {
      std::lock_guard lock(cleanMutex_);
      reportedEmpty_[std::string(ns)] = std::chrono::steady_clock::now();
    }
    if (settings_.agents != nullptr) {
      queue_.add(std::string(kAgentsKey));
    }
    return ok();
  }
  for (const auto& entry : report.bindings) {
    auto resolved = bindingForAgent(ns, entry.binding);
    if (!resolved) {
      continue; // a binding that no longer targets this namespace: nothing to record
    }
    // The binding's summary (Ready) follows the record's change (see records_).
    const std::string registryUrl = resolved->connection ? resolved->connection->settings.url : "";
    auto written = records_.update(resolved->binding.name, resolved->binding.uid, std::string(ns),
                                   [&](reconcile::NamespaceStatus& state) {
                                     reconcile::applyReport(state, entry, now);
                                     state.harbor = registryUrl;
                                   });
    if (!written) {
      return written;
    }
  }
  return ok();
}

} // namespace harborrobot::agent::hub

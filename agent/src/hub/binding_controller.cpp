#include "binding_controller.h"

namespace harborrobot::agent::hub {

namespace {

// Not a binding name (those are DNS subdomains): the key of the agents' sync.
constexpr std::string_view kAgentsKey = "#agents";
constexpr auto kReportSummaryDelay = std::chrono::milliseconds(1000);
constexpr auto kAgentsCoalesce = std::chrono::milliseconds(500);

std::string nameOf(const kube::Json& object) {
  return object.value("/metadata/name"_json_pointer, std::string());
}

} // namespace

BindingController::BindingController(kube::Client& client, ConnectionRegistry& connections,
                                     HubSettings settings, const Logger& logger,
                                     kube::EventRecorder& events)
    : client_(client), connections_(connections), settings_(std::move(settings)), logger_(logger),
      signals_(client, logger), records_(client, logger,
                                         [this](const std::string& binding) {
                                           // The binding's summary follows within a second: one
                                           // reconcile for the many records that change together,
                                           // not one each.
                                           queue_.addAfter(binding, kReportSummaryDelay);
                                         }),
      targets_([this] { return namespaces_->snapshot(); }, settings_.protectedNamespaces),
      resolver_(connections_, statuses_),
      catalog_({.bindings = [this] { return bindings_->snapshot(); },
                .binding = [this](std::string_view name) { return bindings_->find("", name); },
                .namespaceExists =
                    [this](std::string_view ns) { return namespaces_->find("", ns) != nullptr; }},
               resolver_, targets_, records_),
      writer_(
          client, statuses_, [this](std::string_view name) { return bindings_->find("", name); },
          [this] { return stillLeading(); }),
      cleanup_(catalog_, records_, connections_, logger, events,
               {.clusterId = settings_.clusterId,
                .pendingTimeout = settings_.pendingTimeout,
                .metrics = settings_.metrics,
                .stillLeading = [this] { return stillLeading(); },
                .schedule = [this](const std::string& key,
                                   std::chrono::milliseconds after) { schedule(key, after); }}),
      fleet_(
          signals_, settings_.agents, [this] { return stillLeading(); },
          [this](std::chrono::milliseconds after) { schedule(std::string(kAgentsKey), after); }),
      credentials_(catalog_, records_, cleanup_, fleet_, logger, events,
                   {.clusterId = settings_.clusterId,
                    .pendingTimeout = settings_.pendingTimeout,
                    .enqueue = [this](const std::string& key) { queue_.add(key); },
                    .agentsKey = std::string(kAgentsKey)}),
      reconciler_(client, catalog_, statuses_, writer_, records_, cleanup_, logger, events,
                  {.stillLeading = [this] { return stillLeading(); },
                   .schedule = [this](const std::string& key,
                                      std::chrono::milliseconds after) { schedule(key, after); }}) {
}

BindingController::~BindingController() {
  stop();
}

void BindingController::start() {
  kube::InformerHandlers bindingHandlers;
  bindingHandlers.onAdd = [this](const kube::Json& object) { queue_.add(nameOf(object)); };
  bindingHandlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    // Status writes (the hub's own, one per agent report) need no reconcile: a
    // report queues its binding itself. Everything else does.
    if (::harborrobot::hub::differsOutsideStatus(before, after)) {
      queue_.add(nameOf(after));
    }
  };
  bindingHandlers.onDelete = [this](const kube::Json& object) {
    const std::string name = nameOf(object);
    writer_.forget(name);
    statuses_.forget(name);
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
    targets_.invalidate();
    enqueueAll();
  };
  namespaceHandlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    if (::harborrobot::hub::namespaceChangeMatters(before, after)) {
      targets_.invalidate();
      enqueueAll();
    }
  };
  namespaceHandlers.onDelete = [this](const kube::Json&) {
    targets_.invalidate();
    enqueueAll();
  };
  kube::InformerOptions targeting;
  targeting.transform = ::harborrobot::hub::keepTargetingFields;
  namespaces_ = std::make_unique<kube::Informer>(client_, kube::resources::namespaces(), targeting,
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

void BindingController::schedule(const std::string& key, std::chrono::milliseconds after) {
  queue_.addAfter(key, after);
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
    return fleet_.sync(::harborrobot::hub::gatherFleetView(catalog_));
  }
  // Agents and their signals follow every binding change, a moment later, so
  // the many reconciles of a busy minute share one pass over all namespaces.
  queue_.addAfter(std::string(kAgentsKey), kAgentsCoalesce);
  return reconciler_.reconcile(name);
}

} // namespace harborrobot::agent::hub

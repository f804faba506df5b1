#include "project_sync.h"

#include <fmt/format.h>

#include "harborrobot/hub/project_memo.h"
#include "harborrobot/model/harbor_names.h"

namespace harborrobot::agent::hub {

ProjectSync::ProjectSync(kube::Client& client, ConnectionRegistry& connections,
                         const plugin::Host& plugins, const Logger& logger,
                         kube::EventRecorder& events, std::function<bool()> isLeader,
                         std::function<void()> onProjectCreated)
    : client_(client), connections_(connections), plugins_(plugins), logger_(logger),
      events_(events), isLeader_(std::move(isLeader)),
      onProjectCreated_(std::move(onProjectCreated)) {}

ProjectSync::~ProjectSync() {
  stop();
}

void ProjectSync::start() {
  kube::InformerHandlers handlers;
  const auto enqueue = [this](const kube::Json& object) {
    queue_.add(object.value("/metadata/name"_json_pointer, std::string()));
  };
  handlers.onAdd = enqueue;
  handlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    if (::harborrobot::hub::projectInputsChanged(before, after)) {
      queue_.add(after.value("/metadata/name"_json_pointer, std::string()));
    }
  };
  handlers.onError = [this](const Error& error) {
    logger_.warn("watching namespaces", {{"error", error.message()}});
  };
  // Whole objects (a projectFieldsPath may name any field) but for managed fields.
  kube::InformerOptions options;
  options.transform = kube::dropManagedFields;
  namespaces_ = std::make_unique<kube::Informer>(client_, kube::resources::namespaces(),
                                                 std::move(options), std::move(handlers));
  namespaces_->start();
  worker_ = std::thread([this] { work(); });
}

void ProjectSync::stop() {
  queue_.shutDown();
  if (worker_.joinable()) {
    worker_.join();
  }
  if (namespaces_) {
    namespaces_->stop();
  }
}

bool ProjectSync::waitForSync(std::chrono::milliseconds timeout) {
  return namespaces_ && namespaces_->waitForSync(timeout);
}

void ProjectSync::enqueueAll() {
  if (!namespaces_) {
    return;
  }
  for (const auto& object : namespaces_->list()) {
    queue_.add(object.value("/metadata/name"_json_pointer, std::string()));
  }
}

void ProjectSync::work() {
  while (auto key = queue_.get()) {
    if (auto done = sync(*key); done) {
      queue_.forget(*key);
    } else {
      queue_.addRateLimited(*key);
      logger_.warn("project sync failed", {{"namespace", *key}, {"error", done.error().message()}});
    }
    queue_.done(*key);
  }
}

Status ProjectSync::sync(const std::string& ns) {
  if (!isLeader_()) {
    return ok();
  }
  const auto object = namespaces_->get("", ns);
  if (!object || object->contains("/metadata/deletionTimestamp"_json_pointer)) {
    return ok();
  }
  for (const auto& connection : connections_.all()) {
    const std::string& expression = connection->settings.projectFieldsPath;
    if (!connection->usable() || expression.empty()) {
      continue;
    }
    auto resolver = plugins_.makeProjectResolver(connection->settings.projectResolver, expression);
    if (!resolver) {
      continue; // not usable: the registry reported the connection's resolver or expression
    }
    auto project = (*resolver)->resolve(*object);
    if (!project || !project->has_value()) {
      continue; // this namespace names no project: the common case
    }
    if (auto valid = validateProjectName(**project, expression); !valid) {
      if (memo_.noteInvalid(ns, connection->settings.name, **project)) {
        (void)events_.record(
            kube::ObjectReference::of(*object), kube::EventType::kWarning, "InvalidProjectName",
            fmt::format("connection {}: {}", connection->settings.name, valid.error().message()));
      }
      continue;
    }
    if (!memo_.noteValid(ns, connection->settings.name, connection->uid, **project)) {
      continue;
    }
    auto created = (*connection->provider)->ensureProject(**project);
    if (!created) {
      return makeError(created.error());
    }
    memo_.noteEnsured(connection->uid, **project);
    if (*created) {
      logger_.info(
          "project created",
          {{"connection", connection->settings.name}, {"project", **project}, {"namespace", ns}});
      (void)events_.record(kube::ObjectReference::of(*object), kube::EventType::kNormal,
                           "ProjectCreated",
                           fmt::format("created project {} in {} for this namespace", **project,
                                       connection->settings.url));
      onProjectCreated_();
    }
  }
  return ok();
}

} // namespace harborrobot::agent::hub

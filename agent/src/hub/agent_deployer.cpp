#include "agent_deployer.h"

#include <fmt/format.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::hub {

namespace {

using wire::kAgentName;
constexpr auto kRecheck = std::chrono::minutes(10);

// Creates `desired`, or replaces it when what exists is not current.
Status apply(kube::Client& client, const std::string& ns, kube::Json desired) {
  const auto type =
      kube::resources::typeOf(stringField(desired, "apiVersion"), stringField(desired, "kind"));
  if (!type) {
    return makeError(ErrorCode::kInternal, "no resource type for " + jsonText(desired["kind"]));
  }
  const std::string name = desired["metadata"]["name"];
  auto current = client.get(*type, ns, name);
  if (!current) {
    if (current.error().code() != ErrorCode::kNotFound) {
      return makeError(current.error());
    }
    auto created = client.create(*type, ns, desired);
    return created || created.error().code() == ErrorCode::kAlreadyExists
               ? ok()
               : makeError(created.error());
  }
  if (install::agentObjectCurrent(*current, desired)) {
    return ok();
  }
  desired["metadata"]["resourceVersion"] =
      current->value("/metadata/resourceVersion"_json_pointer, std::string());
  auto updated = client.update(*type, ns, desired);
  return updated ? ok() : makeError(updated.error());
}

} // namespace

AgentDeployer::AgentDeployer(kube::Client& client, AgentTemplate config, const Logger& logger)
    : client_(client), config_(std::move(config)), logger_(logger) {}

Status AgentDeployer::ensure(const std::string& ns) {
  for (auto& object : install::agentObjects(ns, config_)) {
    if (auto done = apply(client_, ns, std::move(object)); !done) {
      return done;
    }
  }
  return ok();
}

Status AgentDeployer::remove(const std::string& ns) {
  const std::string name(kAgentName);
  for (const auto* type : {&kube::resources::deployments(), &kube::resources::roleBindings(),
                           &kube::resources::serviceAccounts()}) {
    if (auto removed = client_.remove(*type, ns, name); !removed) {
      return removed;
    }
  }
  // The per-agent ClusterRoleBindings of earlier versions are removed by
  // `kubectl harborrobot install`: the hub may not delete ClusterRoleBindings.
  return client_.remove(kube::resources::configMaps(), ns, wire::kHubCaName);
}

Status AgentDeployer::sync(const std::set<std::string>& namespaces,
                           const std::function<bool(const std::string&)>& mayRemove) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(ensuredAt_, [&](const auto& entry) { return !namespaces.contains(entry.first); });
  for (const auto& ns : namespaces) {
    const auto checked = ensuredAt_.find(ns);
    if (checked != ensuredAt_.end() && now - checked->second < kRecheck) {
      continue;
    }
    if (auto done = ensure(ns); !done) {
      return makeError(done.error().code(),
                       fmt::format("agent in {}: {}", ns, done.error().message()));
    }
    ensuredAt_[ns] = now;
  }
  kube::ListOptions options;
  options.labelSelector = wire::managedSelector(kAgentName);
  // By name as well: RBAC lets the hub list Deployments of that one name only
  // (resourceNames cover a list that selects metadata.name).
  options.fieldSelector = fmt::format("metadata.name={}", kAgentName);
  auto existing = client_.list(kube::resources::deployments(), "", options);
  if (!existing) {
    return makeError(existing.error());
  }
  for (const auto& deployment : existing->value("items", kube::Json::array())) {
    const std::string ns = deployment.value("/metadata/namespace"_json_pointer, std::string());
    if (!namespaces.contains(ns) && mayRemove(ns)) {
      if (auto removed = remove(ns); !removed) {
        return removed;
      }
      logger_.info("agent removed: no binding targets the namespace", {{"namespace", ns}});
    }
  }
  return ok();
}

} // namespace harborrobot::agent::hub

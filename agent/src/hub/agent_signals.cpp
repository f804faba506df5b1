#include "agent_signals.h"

#include <fmt/format.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::hub {

namespace {

using reconcile::kAgentSignalAnnotation;
using wire::kAgentSignalName;

constexpr auto kRelist = std::chrono::minutes(10);

kube::Json signalFor(const std::string& ns, const std::string& fingerprint) {
  return {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", kAgentSignalName},
        {"namespace", ns},
        {"labels",
         {{wire::kNameLabel, kAgentSignalName}, {wire::kManagedByLabel, wire::kManagedByValue}}},
        {"annotations", {{kAgentSignalAnnotation, fingerprint}}}}},
      {"data",
       {{"purpose", "harborrobot's hub changes this annotation to tell the namespace agent "
                    "that its bindings changed; it holds no secret"}}}};
}

} // namespace

AgentSignals::AgentSignals(kube::Client& client, const Logger& logger)
    : client_(client), logger_(logger) {}

Status AgentSignals::write(const std::string& ns, const std::string& fingerprint) {
  auto created = client_.create(kube::resources::configMaps(), ns, signalFor(ns, fingerprint));
  if (created || created.error().code() != ErrorCode::kAlreadyExists) {
    return created ? ok() : makeError(created.error());
  }
  auto updated = client_.modify(kube::resources::configMaps(), ns, kAgentSignalName,
                                [&](kube::Json& current) -> Result<bool> {
                                  auto& annotations = current["metadata"]["annotations"];
                                  if (!annotations.is_object()) {
                                    annotations = kube::Json::object();
                                  }
                                  if (annotations.value(std::string(kAgentSignalAnnotation), "") ==
                                      fingerprint) {
                                    return false;
                                  }
                                  annotations[std::string(kAgentSignalAnnotation)] = fingerprint;
                                  return true;
                                });
  return updated ? ok() : makeError(updated.error());
}

Status AgentSignals::sync(const std::map<std::string, std::string>& fingerprints) {
  const auto now = std::chrono::steady_clock::now();
  if (!listedAt_ || now - *listedAt_ > kRelist) {
    // A new leader learns what the last one wrote, so it rewrites nothing that
    // is current (a thousand needless writes would wake a thousand agents).
    // By name as well: RBAC lets the hub list ConfigMaps of that one name only.
    auto listed =
        client_.list(kube::resources::configMaps(), "",
                     {.labelSelector = wire::managedSelector(kAgentSignalName),
                      .fieldSelector = fmt::format("metadata.name={}", kAgentSignalName)});
    if (!listed) {
      return makeError(listed.error().withContext("listing agent signals"));
    }
    written_.clear();
    for (const auto& item : listed->value("items", kube::Json::array())) {
      const auto metadata = objectField(item, "metadata");
      written_[stringField(metadata, "namespace")] =
          stringField(objectField(metadata, "annotations"), std::string(kAgentSignalAnnotation));
    }
    listedAt_ = now;
  }
  Status result = ok();
  const auto remember = [&](const std::string& ns, const Error& error) {
    logger_.warn("agent signal not written", {{"namespace", ns}, {"error", error.message()}});
    if (result) {
      result = makeError(error);
    }
  };
  for (const auto& [ns, fingerprint] : fingerprints) {
    const auto known = written_.find(ns);
    if (known != written_.end() && known->second == fingerprint) {
      continue;
    }
    if (auto done = write(ns, fingerprint); !done) {
      written_.erase(ns);
      remember(ns, done.error());
      continue;
    }
    written_[ns] = fingerprint;
  }
  for (auto it = written_.begin(); it != written_.end();) {
    if (fingerprints.contains(it->first)) {
      ++it;
      continue;
    }
    auto removed = client_.remove(kube::resources::configMaps(), it->first, kAgentSignalName);
    if (!removed && removed.error().code() != ErrorCode::kNotFound) {
      remember(it->first, removed.error());
      ++it;
      continue;
    }
    it = written_.erase(it);
  }
  return result;
}

} // namespace harborrobot::agent::hub

// AgentSignals: one ConfigMap per target namespace, written only when its
// fingerprint changes.
#include "harborrobot/hub/agent_signals.h"

#include <fmt/format.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::hub {

namespace {

using reconcile::kAgentSignalAnnotation;
using wire::kAgentSignalName;

} // namespace

kube::Json agentSignalObject(std::string_view ns, std::string_view fingerprint) {
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

bool setSignalFingerprint(kube::Json& signal, std::string_view fingerprint) {
  auto& annotations = signal["metadata"]["annotations"];
  if (!annotations.is_object()) {
    annotations = kube::Json::object();
  }
  if (annotations.value(std::string(kAgentSignalAnnotation), "") == fingerprint) {
    return false;
  }
  annotations[std::string(kAgentSignalAnnotation)] = fingerprint;
  return true;
}

std::map<std::string, std::string> signalFingerprints(const kube::Json& list) {
  std::map<std::string, std::string> written;
  for (const auto& item : list.value("items", kube::Json::array())) {
    const auto metadata = objectField(item, "metadata");
    written[stringField(metadata, "namespace")] =
        stringField(objectField(metadata, "annotations"), std::string(kAgentSignalAnnotation));
  }
  return written;
}

AgentSignals::AgentSignals(kube::Client& client, const Logger& logger, Clock clock)
    : client_(client), logger_(logger),
      clock_(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }) {}

Status AgentSignals::write(const std::string& ns, const std::string& fingerprint) {
  auto created =
      client_.create(kube::resources::configMaps(), ns, agentSignalObject(ns, fingerprint));
  if (created || created.error().code() != ErrorCode::kAlreadyExists) {
    return created ? ok() : makeError(created.error());
  }
  auto updated = client_.modify(kube::resources::configMaps(), ns, kAgentSignalName,
                                [&](kube::Json& current) -> Result<bool> {
                                  return setSignalFingerprint(current, fingerprint);
                                });
  return updated ? ok() : makeError(updated.error());
}

Status AgentSignals::sync(const std::map<std::string, std::string>& fingerprints) {
  const auto now = clock_();
  if (!listedAt_ || now - *listedAt_ > kAgentSignalRelist) {
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
    written_ = signalFingerprints(*listed);
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

} // namespace harborrobot::hub

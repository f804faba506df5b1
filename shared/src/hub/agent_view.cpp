// The agent's view of a binding, its rotate requests and its fingerprint.
#include "harborrobot/hub/agent_view.h"

#include <functional>

#include <fmt/format.h>

#include "harborrobot/model/rotate_annotation.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::hub {

std::optional<std::chrono::system_clock::time_point> rotateRequestedAt(const kube::Json& object,
                                                                       std::string_view ns) {
  std::optional<std::chrono::system_clock::time_point> latest;
  const auto annotations = objectField(objectField(object, "metadata"), "annotations");
  for (const std::string& key : rotateRequestKeysFor(ns)) {
    const std::string text = stringField(annotations, key);
    if (auto when = parseRfc3339(text, key); when && (!latest || *when > *latest)) {
      latest = *when;
    }
  }
  return latest;
}

reconcile::AgentBinding agentViewOf(const Resolved& resolved, const kube::Json& object,
                                    std::string_view ns,
                                    std::optional<std::int64_t> activeGeneration) {
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
  if (!ns.empty() && activeGeneration) {
    entry.activeGeneration = *activeGeneration;
  }
  entry.rotateRequestedAt = rotateRequestedAt(object, ns);
  entry.frozen = resolved.frozen;
  return entry;
}

std::map<std::string, std::string> fingerprintsOf(const std::map<std::string, std::string>& views) {
  std::map<std::string, std::string> fingerprints;
  for (const auto& [ns, text] : views) {
    fingerprints.emplace(ns, fmt::format("{:016x}", std::hash<std::string>{}(text)));
  }
  return fingerprints;
}

} // namespace harborrobot::hub

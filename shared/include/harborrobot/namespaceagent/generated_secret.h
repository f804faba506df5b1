// The Secret a namespace agent generates, as the Generator's documentation shows it:
// type kubernetes.io/dockerconfigjson with the one key .dockerconfigjson, plus our
// labels and annotations (which binding, which generation, when, and a hash of the
// content to notice hand edits), and what the agent reads back from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/model/dockerconfig.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/rotation/agent_decision.h"

namespace harborrobot::namespaceagent {

struct GeneratedSecret {
  std::string name{};
  std::string binding{};
  RegistryCredential credential{};
  std::int64_t generation = 0;
  std::string specHash{};
  std::string robotName{};
  std::chrono::system_clock::time_point rotatedAt{};
};

// Carries our managed-by label and `binding` in our binding annotation. A Secret
// that is not ours is never overwritten or deleted.
bool isOurs(const nlohmann::json& secret, std::string_view binding);

// What rotation needs to know about the Secret found under the binding's name:
// only `exists` (and the binding's rotate request) when it is not ours.
rotation::ObservedSecret observeSecret(const std::optional<nlohmann::json>& secret,
                                       const reconcile::AgentBinding& binding);

// The credential the Secret's .dockerconfigjson holds for `registry`, if it
// decodes. Checks neither the owner nor the content hash: callers check isOurs,
// and observeSecret reports a hand edit.
std::optional<RegistryCredential> credentialIn(const nlohmann::json& secret,
                                               std::string_view registry);

// The whole Secret object for namespace `ns`, ready to create or replace.
nlohmann::json buildSecret(std::string_view ns, const GeneratedSecret& generated);

} // namespace harborrobot::namespaceagent

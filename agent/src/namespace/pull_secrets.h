// The generated Secrets and the ServiceAccount's imagePullSecrets, as the Generator's documentation
// shows them: type kubernetes.io/dockerconfigjson with the one key
// .dockerconfigjson, plus our labels and annotations (which binding, which
// generation, when, and a hash of the content to notice hand edits). A Secret
// of that name that is not ours is never overwritten or deleted.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harborrobot/kube/client.h"
#include "harborrobot/model/dockerconfig.h"
#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/rotation/agent_decision.h"

namespace harborrobot::agent::ns {

using namespaceagent::kBindingAnnotation;
using namespaceagent::kContentHashAnnotation;
using namespaceagent::kGenerationAnnotation;
using namespaceagent::kManagedByLabel;
using namespaceagent::kManagedByValue;
using namespaceagent::kRobotAnnotation;
using namespaceagent::kRotatedAtAnnotation;
using namespaceagent::kSpecHashAnnotation;

struct GeneratedSecret {
  std::string name{};
  std::string binding{};
  RegistryCredential credential{};
  std::int64_t generation = 0;
  std::string specHash{};
  std::string robotName{};
  std::chrono::system_clock::time_point rotatedAt{};
};

bool isOurs(const kube::Json& secret, std::string_view binding);

// What rotation needs to know about the Secret found under the binding's name.
rotation::ObservedSecret observeSecret(const std::optional<kube::Json>& secret,
                                       const reconcile::AgentBinding& binding);

// The credential the Secret holds for `registry`, when it is ours and intact.
std::optional<RegistryCredential> credentialIn(const kube::Json& secret, std::string_view registry);

kube::Json buildSecret(std::string_view ns, const GeneratedSecret& generated);

// Creates or replaces the Secret; refuses (kAlreadyExists) when a Secret of that
// name exists that is not ours. Writes nothing when the content is already so.
[[nodiscard]] Result<bool> writeSecret(kube::Client& client, std::string_view ns,
                                       const GeneratedSecret& generated,
                                       const std::optional<kube::Json>& current);

// Deletes the Secret only if it is ours (by label and binding annotation).
[[nodiscard]] Status removeSecret(kube::Client& client, std::string_view ns,
                                  const kube::Json& current, std::string_view binding);

// Makes the ServiceAccount's imagePullSecrets: every entry that is neither
// wanted nor one of `ourSecrets` (Secrets we generated), in its place, then
// `wanted` in its order. So ours no longer wanted go, and others are untouched.
// A 409 is retried on a fresh read. Returns whether it changed anything (or
// found nothing to change: false).
[[nodiscard]] Result<bool> syncServiceAccount(kube::Client& client, std::string_view ns,
                                              std::string_view account,
                                              const std::vector<std::string>& wanted,
                                              const std::set<std::string>& ourSecrets);

} // namespace harborrobot::agent::ns

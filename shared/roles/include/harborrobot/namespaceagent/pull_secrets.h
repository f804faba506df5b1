// Writing the generated Secrets and the ServiceAccount's imagePullSecrets through
// the Kubernetes API; what they contain is decided in generated_secret.h and
// image_pull_secrets.h. A Secret of that name that is not ours is never
// overwritten or deleted.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/kube/client.h"
#include "harborrobot/namespaceagent/generated_secret.h"

namespace harborrobot::namespaceagent {

// Creates or replaces the Secret; refuses (kAlreadyExists) when a Secret of that
// name exists that is not ours. Writes nothing when the content is already so.
[[nodiscard]] Result<bool> writeSecret(kube::Client& client, std::string_view ns,
                                       const GeneratedSecret& generated,
                                       const std::optional<kube::Json>& current);

// Deletes the Secret only if it is ours (by label and binding annotation).
[[nodiscard]] Status removeSecret(kube::Client& client, std::string_view ns,
                                  const kube::Json& current, std::string_view binding);

// Makes the ServiceAccount's imagePullSecrets what mergeImagePullSecrets says:
// others' entries in their place, ours no longer wanted gone, `wanted` in its
// order. A 409 is retried on a fresh read. Returns whether it changed anything
// (or found nothing to change: false).
[[nodiscard]] Result<bool> syncServiceAccount(kube::Client& client, std::string_view ns,
                                              std::string_view account,
                                              const std::vector<std::string>& wanted,
                                              const std::set<std::string>& ourSecrets);

// Whether the Secret in place already has `desired`'s data and annotations
// (labels, type and the rest are ours by construction).
bool secretUpToDate(const kube::Json& current, const kube::Json& desired);

// Edits a ServiceAccount's imagePullSecrets as syncServiceAccount does, the
// field removed when nothing is left; false when nothing changes.
bool applyImagePullSecrets(kube::Json& serviceAccount, const std::vector<std::string>& wanted,
                           const std::set<std::string>& ourSecrets);

} // namespace harborrobot::namespaceagent

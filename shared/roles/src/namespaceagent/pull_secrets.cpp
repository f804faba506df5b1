// The agent's writes of Secrets and ServiceAccounts: conditional on what was
// judged, and none when nothing changes.
#include "harborrobot/namespaceagent/pull_secrets.h"

#include "harborrobot/namespaceagent/image_pull_secrets.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::namespaceagent {

bool secretUpToDate(const kube::Json& current, const kube::Json& desired) {
  return objectField(current, "data") == objectField(desired, "data") &&
         objectField(objectField(current, "metadata"), "annotations") ==
             objectField(objectField(desired, "metadata"), "annotations");
}

bool applyImagePullSecrets(kube::Json& serviceAccount, const std::vector<std::string>& wanted,
                           const std::set<std::string>& ourSecrets) {
  kube::Json entries = serviceAccount.value("imagePullSecrets", kube::Json::array());
  if (!entries.is_array()) {
    entries = kube::Json::array();
  }
  kube::Json next = mergeImagePullSecrets(entries, wanted, ourSecrets);
  if (next == entries) {
    return false;
  }
  if (next.empty()) {
    serviceAccount.erase("imagePullSecrets");
  } else {
    serviceAccount["imagePullSecrets"] = next;
  }
  return true;
}

Result<bool> writeSecret(kube::Client& client, std::string_view ns,
                         const GeneratedSecret& generated,
                         const std::optional<kube::Json>& current) {
  kube::Json desired = buildSecret(ns, generated);
  if (!current) {
    auto created = client.create(kube::resources::secrets(), ns, desired);
    if (!created) {
      return makeError(created.error());
    }
    return true;
  }
  if (!isOurs(*current, generated.binding)) {
    return makeError(ErrorCode::kAlreadyExists,
                     "secret " + generated.name + " exists and is not managed by harborrobot");
  }
  if (secretUpToDate(*current, desired)) {
    return false;
  }
  // Conditional on the version we judged: a concurrent edit makes this a 409,
  // and the next pass judges again.
  desired["metadata"]["resourceVersion"] =
      current->value("/metadata/resourceVersion"_json_pointer, std::string());
  auto updated = client.update(kube::resources::secrets(), ns, desired);
  if (!updated) {
    return makeError(updated.error());
  }
  return true;
}

Status removeSecret(kube::Client& client, std::string_view ns, const kube::Json& current,
                    std::string_view binding) {
  if (!isOurs(current, binding)) {
    return ok();
  }
  kube::DeleteOptions options;
  options.preconditionUid = current.value("/metadata/uid"_json_pointer, std::string());
  return client.remove(kube::resources::secrets(), ns,
                       current.value("/metadata/name"_json_pointer, std::string()), options);
}

Result<bool> syncServiceAccount(kube::Client& client, std::string_view ns, std::string_view account,
                                const std::vector<std::string>& wanted,
                                const std::set<std::string>& ourSecrets) {
  bool changed = false;
  auto result = client.modify(kube::resources::serviceAccounts(), ns, account,
                              [&](kube::Json& serviceAccount) -> Result<bool> {
                                const bool edited =
                                    applyImagePullSecrets(serviceAccount, wanted, ourSecrets);
                                changed = changed || edited;
                                return edited;
                              });
  if (!result) {
    return makeError(result.error());
  }
  return changed;
}

} // namespace harborrobot::namespaceagent

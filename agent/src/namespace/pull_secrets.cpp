#include "pull_secrets.h"

#include <algorithm>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::agent::ns {

namespace {

kube::Json annotationsOf(const kube::Json& object) {
  return objectField(objectField(object, "metadata"), "annotations");
}

std::string dockerConfigOf(const kube::Json& secret) {
  const std::string encoded = stringField(objectField(secret, "data"), ".dockerconfigjson");
  auto decoded = base64Decode(encoded);
  return decoded ? *decoded : std::string();
}

} // namespace

bool isOurs(const kube::Json& secret, std::string_view binding) {
  const auto labels = objectField(objectField(secret, "metadata"), "labels");
  return stringField(labels, kManagedByLabel) == kManagedByValue &&
         stringField(annotationsOf(secret), kBindingAnnotation) == binding;
}

std::optional<RegistryCredential> credentialIn(const kube::Json& secret,
                                               std::string_view registry) {
  auto credential = parseDockerConfigJson(dockerConfigOf(secret), registry);
  return credential ? std::optional<RegistryCredential>(std::move(*credential)) : std::nullopt;
}

rotation::ObservedSecret observeSecret(const std::optional<kube::Json>& secret,
                                       const reconcile::AgentBinding& binding) {
  rotation::ObservedSecret observed;
  observed.rotateRequestedAt = binding.rotateRequestedAt;
  if (!secret) {
    return observed;
  }
  observed.exists = true;
  observed.ours = isOurs(*secret, binding.name);
  if (!observed.ours) {
    return observed;
  }
  const auto annotations = annotationsOf(*secret);
  const std::string content = dockerConfigOf(*secret);
  observed.decodes = stringField(*secret, "type") == "kubernetes.io/dockerconfigjson" &&
                     parseDockerConfigJson(content, binding.registryUrl).has_value();
  observed.contentMatches = sha256Hex(content) == stringField(annotations, kContentHashAnnotation);
  const std::string generation = stringField(annotations, kGenerationAnnotation);
  observed.generation = generation.empty() ||
                                generation.find_first_not_of("0123456789") != std::string::npos ||
                                generation.size() > 18
                            ? 0
                            : std::stoll(generation);
  if (auto rotatedAt =
          parseRfc3339(stringField(annotations, kRotatedAtAnnotation), kRotatedAtAnnotation)) {
    observed.rotatedAt = *rotatedAt;
  }
  observed.specHash = stringField(annotations, kSpecHashAnnotation);
  return observed;
}

kube::Json buildSecret(std::string_view ns, const GeneratedSecret& generated) {
  const SecretString content = buildDockerConfigJson(generated.credential);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", generated.name},
            {"namespace", ns},
            {"labels", {{kManagedByLabel, kManagedByValue}}},
            {"annotations",
             {{kBindingAnnotation, generated.binding},
              {kGenerationAnnotation, std::to_string(generated.generation)},
              {kRotatedAtAnnotation, formatRfc3339(generated.rotatedAt)},
              {kSpecHashAnnotation, generated.specHash},
              {kRobotAnnotation, generated.robotName},
              {kContentHashAnnotation, sha256Hex(content.reveal())}}}}},
          {"type", "kubernetes.io/dockerconfigjson"},
          {"data", {{".dockerconfigjson", base64Encode(content.reveal())}}}};
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
  if (objectField(*current, "data") == desired["data"] &&
      annotationsOf(*current) == desired["metadata"]["annotations"]) {
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
  auto result = client.modify(
      kube::resources::serviceAccounts(), ns, account, [&](kube::Json& sa) -> Result<bool> {
        kube::Json entries = sa.value("imagePullSecrets", kube::Json::array());
        if (!entries.is_array()) {
          entries = kube::Json::array();
        }
        // Entries that are not ours keep their place; ours follow them in the
        // wanted order (main Secrets, then aliases: the Generator documentation's listing), so
        // the list does not depend on the order things happened in.
        kube::Json next = kube::Json::array();
        std::set<std::string> present;
        for (const auto& entry : entries) {
          const std::string name = stringField(entry, "name");
          const bool wantedName = std::find(wanted.begin(), wanted.end(), name) != wanted.end();
          if (ourSecrets.contains(name) || wantedName) {
            continue;
          }
          if (present.insert(name).second) {
            next.push_back(entry);
          }
        }
        for (const auto& name : wanted) {
          if (present.insert(name).second) {
            next.push_back({{"name", name}});
          }
        }
        if (next == entries) {
          return false;
        }
        if (next.empty()) {
          sa.erase("imagePullSecrets");
        } else {
          sa["imagePullSecrets"] = next;
        }
        changed = true;
        return true;
      });
  if (!result) {
    return makeError(result.error());
  }
  return changed;
}

} // namespace harborrobot::agent::ns

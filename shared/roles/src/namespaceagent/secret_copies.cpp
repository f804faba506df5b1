// The agent's Secrets from the credential in hand; the objects themselves are
// built by buildSecret.
#include "harborrobot/namespaceagent/secret_copies.h"

#include "harborrobot/namespaceagent/pass_plan.h"
#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::namespaceagent {

std::string robotNameIn(const nlohmann::json& secret) {
  return stringField(objectField(objectField(secret, "metadata"), "annotations"), kRobotAnnotation);
}

GeneratedSecret issuedSecret(const reconcile::AgentBinding& binding,
                             const reconcile::IssuedCredential& issued, std::int64_t generation,
                             TimePoint now) {
  return {binding.secretName,
          binding.name,
          {binding.registryUrl, issued.username, issued.secret},
          generation,
          binding.specHash,
          issued.robotName,
          now};
}

GeneratedSecret aliasOf(const reconcile::AgentBinding& binding, GeneratedSecret main) {
  main.name = aliasSecretName(binding);
  main.credential.registry = binding.alias->url;
  return main;
}

GeneratedSecret aliasOfSecretInPlace(const reconcile::AgentBinding& binding,
                                     const nlohmann::json& main,
                                     const RegistryCredential& credential, TimePoint now) {
  const auto observed = observeSecret(main, binding);
  return {aliasSecretName(binding),
          binding.name,
          {binding.alias->url, credential.username, credential.password},
          observed.generation,
          observed.specHash,
          robotNameIn(main),
          observed.rotatedAt.value_or(now)};
}

SecretSummary secretSummary(const nlohmann::json& secret, const reconcile::AgentBinding& binding) {
  const auto observed = observeSecret(secret, binding);
  return {observed.generation, robotNameIn(secret), observed.rotatedAt};
}

} // namespace harborrobot::namespaceagent

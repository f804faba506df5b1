// NamespaceAgent, part two: putting one binding's credential in place (a new
// robot from the hub, checked with Harbor, written, activated) and its alias copy.
#include "namespace_agent.h"

#include <thread>

#include <fmt/format.h>

#include "harborrobot/namespaceagent/agent_timing.h"
#include "harborrobot/namespaceagent/generated_secret.h"
#include "harborrobot/namespaceagent/pass_plan.h"
#include "harborrobot/namespaceagent/pull_secrets.h"
#include "harborrobot/namespaceagent/secret_copies.h"
#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::namespace_role {

Status NamespaceAgent::rotate(const reconcile::AgentBinding& binding, BindingState& state,
                              const rotation::ObservedSecret& observed,
                              const std::optional<kube::Json>& current,
                              rotation::RotationReason reason) {
  const std::int64_t generation =
      namespaceagent::nextGeneration(observed.generation, binding.activeGeneration);
  const std::string rotationId =
      namespaceagent::beginRotation(state, generation, namespaceagent::randomRotationId);
  auto issued = hub_.issue(binding.name, {rotationId, generation});
  if (!issued) {
    return makeError(issued.error());
  }
  failpoints_.reach("rotate.after-issue");
  const auto generated = namespaceagent::issuedSecret(binding, *issued, generation, Clock::now());
  if (auto verified = verifyNew(binding, generated.credential); !verified) {
    // The Secret in place is left alone; the hub removes the unused robot, and
    // the next attempt asks for a new one (a new rotation id).
    namespaceagent::abandonRotation(state);
    return makeError(verified.error().withContext("the new credential was not put in place"));
  }
  failpoints_.reach("rotate.after-verify");
  noteWrite(binding.secretName);
  auto written = namespaceagent::writeSecret(client_, ns_, generated, current);
  if (!written) {
    return makeError(written.error());
  }
  failpoints_.reach("rotate.after-secret");
  namespaceagent::completeRotation(state); // in place: the next rotation is a new one
  if (binding.alias && state.aliasWanted.value_or(false)) {
    const auto alias = namespaceagent::aliasOf(binding, generated);
    auto aliasCurrent = secret(alias.name);
    noteWrite(alias.name);
    auto aliasWritten = namespaceagent::writeSecret(client_, ns_, alias, aliasCurrent);
    if (!aliasWritten) {
      return makeError(aliasWritten.error());
    }
    failpoints_.reach("rotate.after-alias");
  }
  if (auto activated = hub_.activate(binding.name, {generation, rotationId}); !activated) {
    // The Secret already works; the next pass reports the generation again.
    logger_.warn("activation not acknowledged",
                 {{"binding", binding.name}, {"error", activated.error().message()}});
  }
  failpoints_.reach("rotate.after-activate");
  logger_.info("credential rotated", {{"binding", binding.name},
                                      {"secret", binding.secretName},
                                      {"robot", issued->username},
                                      {"generation", generation},
                                      {"reason", rotation::rotationReasonName(reason)}});
  event(secret(binding.secretName), kube::EventType::kNormal, "CredentialRotated",
        fmt::format("now {} (generation {}): {}", issued->username, generation,
                    rotation::rotationReasonName(reason)));
  failpoints_.reach("rotate.after-event");
  return ok();
}

Status NamespaceAgent::syncAlias(const reconcile::AgentBinding& binding, BindingState& state,
                                 std::vector<std::string>& wanted) {
  const std::string aliasName = namespaceagent::aliasSecretName(binding);
  const auto current = secret(aliasName);
  if (!binding.alias) {
    state.aliasWanted.reset();
    if (current) {
      noteWrite(aliasName);
      return namespaceagent::removeSecret(client_, ns_, *current, binding.name);
    }
    return ok();
  }
  const auto now = Clock::now();
  if (namespaceagent::aliasCheckDue(state, now, binding.alias->checkInterval)) {
    auto policy = plugins_.makeAliasPolicy(binding.alias->policy);
    if (!policy) {
      state.aliasCheckedAt = now;
      return makeError(policy.error());
    }
    const auto decision =
        (*policy)->decide({binding.registryUrl, binding.alias->url, binding.alias->ips}, resolver_);
    if (namespaceagent::noteAliasVerdict(
            state, decision, current.has_value() && namespaceagent::isOurs(*current, binding.name),
            now)) {
      logger_.info("alias decision", {{"binding", binding.name},
                                      {"alias", binding.alias->url},
                                      {"generate", *state.aliasWanted},
                                      {"why", decision.reason}});
    }
  }
  if (!*state.aliasWanted) {
    if (current) {
      noteWrite(aliasName);
      return namespaceagent::removeSecret(client_, ns_, *current, binding.name);
    }
    return ok();
  }
  const auto main = secret(binding.secretName);
  if (!main || !namespaceagent::isOurs(*main, binding.name)) {
    return ok();
  }
  auto credential = namespaceagent::credentialIn(*main, binding.registryUrl);
  if (!credential) {
    return ok(); // the main Secret is rotated first; the alias follows next pass
  }
  const auto alias =
      namespaceagent::aliasOfSecretInPlace(binding, *main, *credential, Clock::now());
  auto written = namespaceagent::writeSecret(client_, ns_, alias, current);
  if (written && *written) {
    noteWrite(aliasName);
  }
  if (!written) {
    return makeError(written.error());
  }
  wanted.push_back(aliasName);
  return ok();
}

void NamespaceAgent::verifyInPlace(const reconcile::AgentBinding& binding, BindingState& state,
                                   const std::optional<kube::Json>& current) {
  const auto now = Clock::now();
  if (!current || !namespaceagent::isOurs(*current, binding.name) ||
      !namespaceagent::startCheckInPlace(state, now)) {
    return;
  }
  const auto credential = namespaceagent::credentialIn(*current, binding.registryUrl);
  if (!credential) {
    return; // corrupt or edited: the rotation decision handles it
  }
  auto verified =
      verifier_.verify(*credential, binding.project, binding.access, binding.registryCaPem);
  const auto outcome = namespaceagent::noteCheckInPlace(state, verified, now);
  count(metrics_.verifications, {std::string(namespaceagent::checkOutcomeName(outcome))});
  if (outcome == namespaceagent::CheckOutcome::kRefused) {
    logger_.warn("Harbor refuses the credential in place; rotating",
                 {{"binding", binding.name}, {"error", verified.error().message()}});
  } else if (outcome == namespaceagent::CheckOutcome::kUnavailable) {
    logger_.warn("credential check not possible",
                 {{"binding", binding.name}, {"error", verified.error().message()}});
  }
}

Status NamespaceAgent::verifyNew(const reconcile::AgentBinding& binding,
                                 const RegistryCredential& credential) {
  Status verified = ok();
  for (int attempt = 1; attempt <= namespaceagent::kVerifyAttempts; ++attempt) {
    verified = verifier_.verify(credential, binding.project, binding.access, binding.registryCaPem);
    const auto outcome =
        namespaceagent::noteNewCredentialCheck(states_[binding.name], verified, Clock::now());
    if (outcome == namespaceagent::CheckOutcome::kAccepted) {
      count(metrics_.verifications, {"accepted"});
      return ok();
    }
    if (outcome == namespaceagent::CheckOutcome::kUnavailable) {
      // The hub vouches for a credential Harbor cannot be asked about from here.
      count(metrics_.verifications, {"unavailable"});
      logger_.warn("new credential not checked",
                   {{"binding", binding.name}, {"error", verified.error().message()}});
      return ok();
    }
    std::this_thread::sleep_for(namespaceagent::kNewCredentialRetryWait);
  }
  count(metrics_.verifications, {"refused"});
  return verified;
}

} // namespace harborrobot::agent::namespace_role

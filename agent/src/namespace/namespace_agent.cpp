// NamespaceAgent, part one: the pass over every binding the hub lists for this
// namespace, the watches that trigger it, the ServiceAccounts and the report.
#include "namespace_agent.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/namespaceagent/agent_timing.h"
#include "harborrobot/namespaceagent/generated_secret.h"
#include "harborrobot/namespaceagent/pass_plan.h"
#include "harborrobot/namespaceagent/pull_secrets.h"
#include "harborrobot/namespaceagent/secret_copies.h"
#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::agent::namespace_role {

namespace {

using namespaceagent::kHubPoll;
using namespaceagent::kRetry;

} // namespace

NamespaceAgent::NamespaceAgent(kube::Client& client, HubClient& hub, const plugin::Host& plugins,
                               dns::Resolver& resolver, const Logger& logger,
                               kube::EventRecorder& events, std::string ns,
                               namespaceagent::AgentMetrics metrics, Failpoints failpoints)
    : client_(client), hub_(hub), plugins_(plugins), resolver_(resolver), logger_(logger),
      events_(events), ns_(std::move(ns)), metrics_(metrics), failpoints_(std::move(failpoints)) {}

void NamespaceAgent::count(metrics::Counter* counter, const metrics::LabelValues& labels) {
  if (counter != nullptr) {
    counter->inc(labels);
  }
}

void NamespaceAgent::noteWrite(const std::string& name) {
  writtenAt_[name] = Clock::now();
}

void NamespaceAgent::start(std::function<void()> onChange) {
  kube::InformerOptions options;
  options.ns = ns_;
  kube::InformerHandlers handlers;
  handlers.onAdd = [onChange](const kube::Json&) { onChange(); };
  handlers.onUpdate = [onChange](const kube::Json&, const kube::Json&) { onChange(); };
  handlers.onDelete = [onChange](const kube::Json&) { onChange(); };
  handlers.onError = [this](const Error& error) {
    logger_.warn("watch failed", {{"error", error.message()}});
  };
  // Only the Secrets harborrobot made: a namespace's other Secrets (Helm
  // releases, TLS keys) are neither held in memory nor sent to this agent; a
  // name taken by one of them is found with a single get (secret()).
  kube::InformerOptions secretOptions = options;
  secretOptions.labelSelector =
      fmt::format("{}={}", namespaceagent::kManagedByLabel, namespaceagent::kManagedByValue);
  secrets_ = std::make_unique<kube::Informer>(client_, kube::resources::secrets(), secretOptions,
                                              handlers);
  serviceAccounts_ = std::make_unique<kube::Informer>(client_, kube::resources::serviceAccounts(),
                                                      options, handlers);
  // A binding's change (spec, `kubectl harborrobot rotate`, deletion, this
  // namespace becoming or ceasing to be a target) runs a pass at once instead of
  // at the next poll of the hub: the hub says so through one small object here.
  kube::InformerHandlers signalHandlers = handlers;
  signalHandlers.onUpdate = [onChange](const kube::Json& before, const kube::Json& after) {
    if (namespaceagent::signalFingerprint(before) != namespaceagent::signalFingerprint(after)) {
      onChange();
    }
  };
  kube::InformerOptions signalOptions = options;
  signalOptions.fieldSelector = fmt::format("metadata.name={}", wire::kAgentSignalName);
  signal_ = std::make_unique<kube::Informer>(client_, kube::resources::configMaps(), signalOptions,
                                             signalHandlers);
  secrets_->start();
  serviceAccounts_->start();
  signal_->start();
}

void NamespaceAgent::stop() {
  if (secrets_) {
    secrets_->stop();
  }
  if (serviceAccounts_) {
    serviceAccounts_->stop();
  }
  if (signal_) {
    signal_->stop();
  }
}

bool NamespaceAgent::waitForSync(std::chrono::milliseconds timeout) {
  return secrets_ && serviceAccounts_ && secrets_->waitForSync(timeout) &&
         serviceAccounts_->waitForSync(timeout);
}

std::optional<kube::Json> NamespaceAgent::secret(const std::string& name) const {
  const auto written = writtenAt_.find(name);
  const bool recent = written != writtenAt_.end() &&
                      Clock::now() - written->second < namespaceagent::kFreshReadWindow;
  if (!recent && secrets_->waitForSync(std::chrono::milliseconds(0))) {
    if (auto cached = secrets_->get(ns_, name)) {
      return cached;
    }
    // Not ours, or not there: the cache holds only our Secrets, so one get
    // tells a free name from one taken by someone else's Secret.
  }
  // Read fresh: a Secret we wrote a moment ago must not be judged from a cache
  // that has not seen the write yet (that would rotate twice).
  auto current = client_.get(kube::resources::secrets(), ns_, name);
  if (current) {
    return *current;
  }
  if (current.error().code() == ErrorCode::kNotFound) {
    return std::nullopt;
  }
  return secrets_->get(ns_, name); // the API is unreachable: the cache is the best view
}

void NamespaceAgent::event(const std::optional<kube::Json>& object, kube::EventType type,
                           std::string_view reason, const std::string& message) {
  if (!object) {
    return;
  }
  if (auto recorded = events_.record(kube::ObjectReference::of(*object), type, reason, message);
      !recorded) {
    logger_.warn("event not recorded", {{"reason", reason}, {"error", recorded.error().message()}});
  }
}

NamespaceAgent::Clock::time_point NamespaceAgent::runOnce() {
  const auto next = pass();
  // The next pass is minutes away (or a retry seconds away): a kept-alive hub
  // connection would only hold one of the hub's threads until then.
  hub_.closeIdle();
  return next;
}

NamespaceAgent::Clock::time_point NamespaceAgent::pass() {
  const auto now = Clock::now();
  auto bindings = hub_.bindings();
  if (!bindings) {
    count(metrics_.passes, {"hub_unavailable"});
    lastPassOk_ = false;
    logger_.warn("the hub did not answer; keeping every Secret as it is",
                 {{"error", bindings.error().message()}});
    return now + kRetry;
  }
  auto next = now + kHubPoll;
  std::set<std::string> ours = namespaceagent::managedSecretNames(secrets_->list());
  namespaceagent::ServiceAccountPlan accounts;
  std::set<std::string> listed;
  bool allOk = true;
  for (const auto& binding : *bindings) {
    listed.insert(binding.name);
    BindingState& state = states_[binding.name];
    if (binding.frozen) {
      keepFrozen(binding, state, ours);
      continue;
    }
    std::vector<std::string> wanted;
    next = std::min(next, reconcileBinding(binding, state, wanted, ours));
    allOk = allOk && state.lastError.empty();
    accounts.want(binding.serviceAccountName, wanted);
  }
  // Every ServiceAccount that names one of our Secrets, or should.
  accounts.includeAccountsNaming(serviceAccounts_->list(), ours);
  for (const auto& [account, wanted] : accounts.accounts()) {
    auto synced = namespaceagent::syncServiceAccount(client_, ns_, account, wanted, ours);
    if (!synced) {
      allOk = false;
      if (synced.error().code() != ErrorCode::kNotFound) {
        logger_.warn("service account not updated",
                     {{"service_account", account}, {"error", synced.error().message()}});
      }
    } else if (*synced) {
      logger_.info("image pull secrets updated", {{"service_account", account}});
    }
  }
  // Secrets of bindings that no longer target this namespace: the hub said so.
  for (const auto& orphan : namespaceagent::orphanedSecrets(secrets_->list(), listed)) {
    noteWrite(orphan.name);
    if (auto removed = namespaceagent::removeSecret(client_, ns_, orphan.object, orphan.binding);
        !removed) {
      allOk = false;
    } else {
      logger_.info("secret removed: its binding no longer targets this namespace",
                   {{"secret", orphan.name}, {"binding", orphan.binding}});
      states_.erase(orphan.binding);
    }
  }
  lastPassOk_ = allOk;
  count(metrics_.passes, {allOk ? "ok" : "failed"});
  for (const auto& binding : *bindings) {
    if (metrics_.bindingReady != nullptr) {
      metrics_.bindingReady->set(states_[binding.name].ready ? 1 : 0, {binding.name});
    }
  }
  if (namespaceagent::reportWanted(allOk, !bindings->empty()) && !report(*bindings)) {
    next = std::min(next, Clock::now() + kRetry); // the hub must hear it soon
  }
  return next;
}

void NamespaceAgent::keepFrozen(const reconcile::AgentBinding& binding, BindingState& state,
                                std::set<std::string>& ours) {
  // The binding's spec is invalid: its Secrets stay as they are, and so do the
  // ServiceAccount entries naming them (they are left out of `ours`, so the
  // ServiceAccount sync treats them as entries it does not manage).
  const auto held = namespaceagent::secretsOfBinding(secrets_->list(), binding.name);
  for (const auto& name : held) {
    ours.erase(name);
  }
  if (namespaceagent::noteFrozen(state, !held.empty())) {
    logger_.warn("binding frozen by the hub (invalid spec): its Secrets stay as they are, "
                 "nothing is rotated",
                 {{"binding", binding.name}});
  }
}

NamespaceAgent::Clock::time_point
NamespaceAgent::reconcileBinding(const reconcile::AgentBinding& binding, BindingState& state,
                                 std::vector<std::string>& wanted, std::set<std::string>& ours) {
  const auto now = Clock::now();
  state.lastError.clear();
  auto current = secret(binding.secretName);
  if (binding.registryUrl.empty()) {
    namespaceagent::noteConnectionUnavailable(state);
    if (current && namespaceagent::isOurs(*current, binding.name)) {
      wanted.push_back(binding.secretName); // keep what works
    }
    return now + kHubPoll;
  }
  const auto observed = namespaceagent::observeSecret(current, binding);
  verifyInPlace(binding, state, current);
  const auto decision = rotation::decideRotation(
      {observed, binding.specHash, binding.refreshInterval, state.credentialRejected, now});
  if (decision.reason == rotation::RotationReason::kSecretNameConflict) {
    if (namespaceagent::noteSecretNameConflict(state)) {
      event(current, kube::EventType::kWarning, "SecretNameConflict",
            fmt::format("binding {} wants to manage this Secret, but it was not made by "
                        "harborrobot; it is left untouched",
                        binding.name));
    }
    return now + kHubPoll;
  }
  auto next = namespaceagent::nextLook(decision, state, now);
  if (decision.rotate) {
    if (auto rotated = rotate(binding, state, observed, current, decision.reason); !rotated) {
      namespaceagent::noteRotationFailed(state, observed, decision.reason,
                                         rotated.error().message());
      logger_.warn("rotation failed; the current Secret stays",
                   {{"binding", binding.name}, {"error", rotated.error().message()}});
      next = now + kRetry;
      count(metrics_.rotations,
            {std::string(rotation::rotationReasonName(decision.reason)), "failed"});
    } else {
      count(metrics_.rotations, {std::string(rotation::rotationReasonName(decision.reason)), "ok"});
      ours.insert(binding.secretName);
      namespaceagent::noteCredentialCurrent(state);
    }
  } else {
    if (namespaceagent::activationOwed(observed, binding.activeGeneration)) {
      // The Secret was written but the hub never heard: say it now (idempotent).
      auto activated = hub_.activate(binding.name, {observed.generation, ""});
      if (!activated) {
        state.lastError = activated.error().message();
      }
    }
    namespaceagent::noteCredentialCurrent(state);
  }
  if (namespaceagent::mainSecretWanted(observed, decision)) {
    wanted.push_back(binding.secretName);
  }
  if (auto alias = syncAlias(binding, state, wanted); !alias) {
    state.lastError = alias.error().message();
  }
  if (binding.alias) {
    next = std::min(next, namespaceagent::nextAliasCheck(state, binding.alias->checkInterval));
  }
  return next;
}

bool NamespaceAgent::report(const std::vector<reconcile::AgentBinding>& bindings) {
  reconcile::AgentReport report;
  report.agentVersion = HARBORROBOT_VERSION;
  for (const auto& binding : bindings) {
    std::optional<namespaceagent::SecretSummary> summary;
    if (const auto current =
            binding.secretName.empty() ? std::nullopt : secret(binding.secretName)) {
      summary = namespaceagent::secretSummary(*current, binding);
    }
    report.bindings.push_back(
        namespaceagent::namespaceReport(binding, states_[binding.name], summary));
  }
  std::string text = jsonText(reconcile::toJson(report));
  const auto now = Clock::now();
  if (!reportGate_.isNews(text, now)) {
    count(metrics_.reports, {"unchanged"});
    return true;
  }
  if (auto sent = hub_.report(report); !sent) {
    count(metrics_.reports, {"failed"});
    logger_.warn("status report not delivered", {{"error", sent.error().message()}});
    return false;
  }
  count(metrics_.reports, {"sent"});
  reportGate_.noteSent(std::move(text), now);
  return true;
}

} // namespace harborrobot::agent::namespace_role

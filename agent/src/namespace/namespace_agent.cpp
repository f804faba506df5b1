#include "namespace_agent.h"

#include "harborrobot/registry/harbor_facts.h"

#include <algorithm>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"
#include "pull_secrets.h"

namespace harborrobot::agent::ns {

namespace {

// Bindings and Secrets are watched, so the hub is polled only as a safety net
// (a connection edited at the hub, which changes no object this agent watches).
constexpr auto kHubPoll = std::chrono::minutes(5);
constexpr auto kRetry = std::chrono::seconds(3);
constexpr auto kVerifyInterval = std::chrono::minutes(15);
constexpr auto kVerifyAttempts = 5;
constexpr auto kFreshReadWindow = std::chrono::seconds(10);
// A report that says nothing new is still sent this often, so the hub can tell a
// live agent from a gone one.
constexpr auto kReportHeartbeat = std::chrono::hours(1);

std::string fingerprintOf(const kube::Json& signal) {
  return stringField(objectField(objectField(signal, "metadata"), "annotations"),
                     std::string(reconcile::kAgentSignalAnnotation));
}

std::string newRotationId() {
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id = "r";
  for (int i = 0; i < 15; ++i) {
    id += "0123456789abcdef"[digit(device)];
  }
  return id;
}

std::string aliasNameOf(const reconcile::AgentBinding& binding) {
  return binding.secretName + ".alias";
}

bool managedByUs(const kube::Json& object) {
  return stringField(objectField(objectField(object, "metadata"), "labels"), kManagedByLabel) ==
         kManagedByValue;
}

} // namespace

NamespaceAgent::NamespaceAgent(kube::Client& client, HubClient& hub, const plugin::Host& plugins,
                               dns::Resolver& resolver, const Logger& logger,
                               kube::EventRecorder& events, std::string ns, AgentMetrics metrics,
                               Failpoints failpoints)
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
  secretOptions.labelSelector = fmt::format("{}={}", kManagedByLabel, kManagedByValue);
  secrets_ = std::make_unique<kube::Informer>(client_, kube::resources::secrets(), secretOptions,
                                              handlers);
  serviceAccounts_ = std::make_unique<kube::Informer>(client_, kube::resources::serviceAccounts(),
                                                      options, handlers);
  // A binding's change (spec, `kubectl harborrobot rotate`, deletion, this
  // namespace becoming or ceasing to be a target) runs a pass at once instead of
  // at the next poll of the hub: the hub says so through one small object here.
  kube::InformerHandlers signalHandlers = handlers;
  signalHandlers.onUpdate = [onChange](const kube::Json& before, const kube::Json& after) {
    if (fingerprintOf(before) != fingerprintOf(after)) {
      onChange();
    }
  };
  kube::InformerOptions signalOptions = options;
  signalOptions.fieldSelector = fmt::format("metadata.name={}", reconcile::kAgentSignalName);
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
  const bool recent =
      written != writtenAt_.end() && Clock::now() - written->second < kFreshReadWindow;
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
  std::set<std::string> ours;
  for (const auto& object : secrets_->list()) {
    if (managedByUs(object)) {
      ours.insert(object.value("/metadata/name"_json_pointer, std::string()));
    }
  }
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> bySa;
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
    if (!binding.serviceAccountName.empty()) {
      auto& [mains, aliases] = bySa[binding.serviceAccountName];
      for (const auto& name : wanted) {
        (name.ends_with(".alias") ? aliases : mains).push_back(name);
      }
    }
  }
  // Every ServiceAccount that names one of our Secrets, or should.
  for (const auto& account : serviceAccounts_->list()) {
    const std::string name = account.value("/metadata/name"_json_pointer, std::string());
    for (const auto& entry : account.value("imagePullSecrets", kube::Json::array())) {
      if (ours.contains(stringField(entry, "name"))) {
        bySa.try_emplace(name);
        break;
      }
    }
  }
  for (const auto& [account, lists] : bySa) {
    std::vector<std::string> wanted = lists.first;
    wanted.insert(wanted.end(), lists.second.begin(), lists.second.end());
    auto synced = syncServiceAccount(client_, ns_, account, wanted, ours);
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
  for (const auto& object : secrets_->list()) {
    const std::string binding = stringField(
        objectField(objectField(object, "metadata"), "annotations"), kBindingAnnotation);
    if (managedByUs(object) && !binding.empty() && !listed.contains(binding)) {
      noteWrite(object.value("/metadata/name"_json_pointer, std::string()));
      if (auto removed = removeSecret(client_, ns_, object, binding); !removed) {
        allOk = false;
      } else {
        logger_.info("secret removed: its binding no longer targets this namespace",
                     {{"secret", object.value("/metadata/name"_json_pointer, std::string())},
                      {"binding", binding}});
        states_.erase(binding);
      }
    }
  }
  lastPassOk_ = allOk;
  count(metrics_.passes, {allOk ? "ok" : "failed"});
  for (const auto& binding : *bindings) {
    if (metrics_.bindingReady != nullptr) {
      metrics_.bindingReady->set(states_[binding.name].ready ? 1 : 0, {binding.name});
    }
  }
  // An empty report tells the hub this namespace holds nothing of ours any
  // more; it is sent only once that is true.
  if ((allOk || !bindings->empty()) && !report(*bindings)) {
    next = std::min(next, Clock::now() + kRetry); // the hub must hear it soon
  }
  return next;
}

void NamespaceAgent::keepFrozen(const reconcile::AgentBinding& binding, BindingState& state,
                                std::set<std::string>& ours) {
  // The binding's spec is invalid: its Secrets stay as they are, and so do the
  // ServiceAccount entries naming them (they are left out of `ours`, so the
  // ServiceAccount sync treats them as entries it does not manage).
  bool holds = false;
  for (const auto& object : secrets_->list()) {
    const auto metadata = objectField(object, "metadata");
    if (managedByUs(object) &&
        stringField(objectField(metadata, "annotations"), kBindingAnnotation) == binding.name) {
      ours.erase(stringField(metadata, "name"));
      holds = true;
    }
  }
  if (state.reason != "BindingFrozen") {
    logger_.warn("binding frozen by the hub (invalid spec): its Secrets stay as they are, "
                 "nothing is rotated",
                 {{"binding", binding.name}});
  }
  state.ready = holds;
  state.reason = "BindingFrozen";
  state.lastError.clear();
}

NamespaceAgent::Clock::time_point
NamespaceAgent::reconcileBinding(const reconcile::AgentBinding& binding, BindingState& state,
                                 std::vector<std::string>& wanted, std::set<std::string>& ours) {
  const auto now = Clock::now();
  state.lastError.clear();
  auto current = secret(binding.secretName);
  if (binding.registryUrl.empty()) {
    state.ready = false;
    state.reason = "ConnectionUnavailable";
    if (current && isOurs(*current, binding.name)) {
      wanted.push_back(binding.secretName); // keep what works
    }
    return now + kHubPoll;
  }
  const auto observed = observeSecret(current, binding);
  verifyInPlace(binding, state, current);
  const auto decision = rotation::decideRotation(
      {observed, binding.specHash, binding.refreshInterval, state.credentialRejected, now});
  if (decision.reason == rotation::RotationReason::kSecretNameConflict) {
    if (state.reason != "SecretNameConflict") {
      event(current, kube::EventType::kWarning, "SecretNameConflict",
            fmt::format("binding {} wants to manage this Secret, but it was not made by "
                        "harborrobot; it is left untouched",
                        binding.name));
    }
    state.ready = false;
    state.reason = "SecretNameConflict";
    return now + kHubPoll;
  }
  auto next = std::min(decision.nextCheck.value_or(now + kHubPoll), state.verifyDueAt);
  if (decision.rotate) {
    if (auto rotated = rotate(binding, state, observed, current, decision.reason); !rotated) {
      state.lastError = rotated.error().message();
      state.reason = "RotationFailed";
      logger_.warn("rotation failed; the current Secret stays",
                   {{"binding", binding.name}, {"error", rotated.error().message()}});
      // Ready only while the credential in place is still valid and current.
      state.ready = observed.decodes && observed.contentMatches &&
                    decision.reason == rotation::RotationReason::kRefreshDue;
      next = now + kRetry;
      count(metrics_.rotations,
            {std::string(rotation::rotationReasonName(decision.reason)), "failed"});
    } else {
      count(metrics_.rotations, {std::string(rotation::rotationReasonName(decision.reason)), "ok"});
      ours.insert(binding.secretName);
      state.ready = true;
      state.reason.clear();
    }
  } else {
    if (observed.generation > binding.activeGeneration) {
      // The Secret was written but the hub never heard: say it now (idempotent).
      auto activated = hub_.activate(binding.name, {observed.generation, ""});
      if (!activated) {
        state.lastError = activated.error().message();
      }
    }
    state.ready = true;
    state.reason.clear();
  }
  if (observed.exists || decision.rotate) {
    wanted.push_back(binding.secretName);
  }
  if (auto alias = syncAlias(binding, state, wanted); !alias) {
    state.lastError = alias.error().message();
  }
  if (binding.alias) {
    next = std::min(next, state.aliasCheckedAt + std::chrono::duration_cast<Clock::duration>(
                                                     binding.alias->checkInterval));
  }
  return next;
}

Status NamespaceAgent::rotate(const reconcile::AgentBinding& binding, BindingState& state,
                              const rotation::ObservedSecret& observed,
                              const std::optional<kube::Json>& current,
                              rotation::RotationReason reason) {
  const std::int64_t generation = std::max(observed.generation, binding.activeGeneration) + 1;
  if (state.pendingGeneration != generation || state.pendingRotationId.empty()) {
    state.pendingGeneration = generation;
    state.pendingRotationId = newRotationId();
  }
  const std::string rotationId = state.pendingRotationId;
  auto issued = hub_.issue(binding.name, {rotationId, generation});
  if (!issued) {
    return makeError(issued.error());
  }
  failpoints_.reach("rotate.after-issue");
  GeneratedSecret generated{
      binding.secretName, binding.name,     {binding.registryUrl, issued->username, issued->secret},
      generation,         binding.specHash, issued->robotName,
      Clock::now()};
  if (auto verified = verifyNew(binding, generated.credential); !verified) {
    // The Secret in place is left alone; the hub removes the unused robot, and
    // the next attempt asks for a new one (a new rotation id).
    state.pendingRotationId.clear();
    return makeError(verified.error().withContext("the new credential was not put in place"));
  }
  failpoints_.reach("rotate.after-verify");
  noteWrite(binding.secretName);
  auto written = writeSecret(client_, ns_, generated, current);
  if (!written) {
    return makeError(written.error());
  }
  failpoints_.reach("rotate.after-secret");
  state.credentialRejected = false;
  state.pendingGeneration = 0; // in place: the next rotation is a new one
  state.pendingRotationId.clear();
  if (binding.alias && state.aliasWanted.value_or(false)) {
    GeneratedSecret alias = generated;
    alias.name = aliasNameOf(binding);
    alias.credential.registry = binding.alias->url;
    auto aliasCurrent = secret(alias.name);
    noteWrite(alias.name);
    auto aliasWritten = writeSecret(client_, ns_, alias, aliasCurrent);
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
  const std::string aliasName = aliasNameOf(binding);
  const auto current = secret(aliasName);
  if (!binding.alias) {
    state.aliasWanted.reset();
    if (current) {
      noteWrite(aliasName);
      return removeSecret(client_, ns_, *current, binding.name);
    }
    return ok();
  }
  const auto now = Clock::now();
  const auto interval = std::chrono::duration_cast<Clock::duration>(binding.alias->checkInterval);
  if (!state.aliasWanted || now - state.aliasCheckedAt >= interval) {
    auto policy = plugins_.makeAliasPolicy(binding.alias->policy);
    if (!policy) {
      state.aliasCheckedAt = now;
      return makeError(policy.error());
    }
    const auto decision =
        (*policy)->decide({binding.registryUrl, binding.alias->url, binding.alias->ips}, resolver_);
    state.aliasCheckedAt = now;
    if (decision.action != plugin::AliasAction::kKeep) {
      const bool wantedNow = decision.action == plugin::AliasAction::kGenerate;
      if (state.aliasWanted != wantedNow) {
        logger_.info("alias decision", {{"binding", binding.name},
                                        {"alias", binding.alias->url},
                                        {"generate", wantedNow},
                                        {"why", decision.reason}});
      }
      state.aliasWanted = wantedNow;
    } else if (!state.aliasWanted) {
      state.aliasWanted = current.has_value() && isOurs(*current, binding.name);
    }
    state.aliasReason = decision.reason;
  }
  if (!*state.aliasWanted) {
    if (current) {
      noteWrite(aliasName);
      return removeSecret(client_, ns_, *current, binding.name);
    }
    return ok();
  }
  const auto main = secret(binding.secretName);
  if (!main || !isOurs(*main, binding.name)) {
    return ok();
  }
  auto credential = credentialIn(*main, binding.registryUrl);
  if (!credential) {
    return ok(); // the main Secret is rotated first; the alias follows next pass
  }
  const auto observed = observeSecret(main, binding);
  GeneratedSecret alias{
      aliasName,
      binding.name,
      {binding.alias->url, credential->username, credential->password},
      observed.generation,
      observed.specHash,
      stringField(objectField(objectField(*main, "metadata"), "annotations"), kRobotAnnotation),
      observed.rotatedAt.value_or(Clock::now())};
  auto written = writeSecret(client_, ns_, alias, current);
  if (written && *written) {
    noteWrite(aliasName);
  }
  if (!written) {
    return makeError(written.error());
  }
  wanted.push_back(aliasName);
  return ok();
}

bool NamespaceAgent::report(const std::vector<reconcile::AgentBinding>& bindings) {
  reconcile::AgentReport report;
  report.agentVersion = HARBORROBOT_VERSION;
  for (const auto& binding : bindings) {
    const BindingState& state = states_[binding.name];
    reconcile::NamespaceReport entry;
    entry.binding = binding.name;
    entry.ready = state.ready;
    entry.reason = state.reason;
    entry.lastError = state.lastError.empty() ? state.checkProblem : state.lastError;
    entry.aliasActive = state.aliasWanted.value_or(false);
    entry.credentialVerifiedAt = state.verifiedAt;
    if (const auto current =
            binding.secretName.empty() ? std::nullopt : secret(binding.secretName)) {
      const auto observed = observeSecret(current, binding);
      entry.generation = observed.generation;
      entry.robotName = stringField(objectField(objectField(*current, "metadata"), "annotations"),
                                    kRobotAnnotation);
      entry.lastRefreshTime = observed.rotatedAt;
      if (observed.rotatedAt) {
        entry.nextRefreshTime = *observed.rotatedAt + std::chrono::duration_cast<Clock::duration>(
                                                          binding.refreshInterval);
      }
    }
    report.bindings.push_back(std::move(entry));
  }
  // Only news is sent (and a heartbeat): each report becomes a status write.
  const std::string text = jsonText(reconcile::toJson(report));
  const auto now = Clock::now();
  if (text == lastReport_ && now - lastReportAt_ < kReportHeartbeat) {
    count(metrics_.reports, {"unchanged"});
    return true;
  }
  if (auto sent = hub_.report(report); !sent) {
    count(metrics_.reports, {"failed"});
    logger_.warn("status report not delivered", {{"error", sent.error().message()}});
    return false;
  }
  count(metrics_.reports, {"sent"});
  lastReport_ = text;
  lastReportAt_ = now;
  return true;
}

void NamespaceAgent::verifyInPlace(const reconcile::AgentBinding& binding, BindingState& state,
                                   const std::optional<kube::Json>& current) {
  const auto now = Clock::now();
  if (now < state.verifyDueAt || !current || !isOurs(*current, binding.name)) {
    return;
  }
  state.verifyDueAt = now + kVerifyInterval;
  const auto credential = credentialIn(*current, binding.registryUrl);
  if (!credential) {
    return; // corrupt or edited: the rotation decision handles it
  }
  auto verified =
      verifier_.verify(*credential, binding.project, binding.access, binding.registryCaPem);
  if (verified) {
    count(metrics_.verifications, {"accepted"});
    state.verifiedAt = now;
    state.credentialRejected = false;
    state.checkProblem.clear();
  } else if (verified.error().code() == ErrorCode::kUnauthenticated ||
             verified.error().code() == ErrorCode::kPermissionDenied) {
    count(metrics_.verifications, {"refused"});
    state.credentialRejected = true;
    state.checkProblem.clear();
    logger_.warn("Harbor refuses the credential in place; rotating",
                 {{"binding", binding.name}, {"error", verified.error().message()}});
  } else {
    count(metrics_.verifications, {"unavailable"});
    // Says nothing about the credential: check again soon, change nothing.
    state.verifyDueAt = now + kRetry * 10;
    state.checkProblem = verified.error().message();
    logger_.warn("credential check not possible",
                 {{"binding", binding.name}, {"error", verified.error().message()}});
  }
}

Status NamespaceAgent::verifyNew(const reconcile::AgentBinding& binding,
                                 const RegistryCredential& credential) {
  Status verified = ok();
  for (int attempt = 1; attempt <= kVerifyAttempts; ++attempt) {
    verified = verifier_.verify(credential, binding.project, binding.access, binding.registryCaPem);
    BindingState& state = states_[binding.name];
    if (verified) {
      count(metrics_.verifications, {"accepted"});
      state.verifiedAt = Clock::now();
      state.verifyDueAt = Clock::now() + kVerifyInterval;
      state.checkProblem.clear();
      return ok();
    }
    if (verified.error().code() != ErrorCode::kUnauthenticated &&
        verified.error().code() != ErrorCode::kPermissionDenied) {
      // Harbor cannot be asked from here; the hub vouches for the credential,
      // and a pull would fail the same way with the old one.
      count(metrics_.verifications, {"unavailable"});
      logger_.warn("new credential not checked",
                   {{"binding", binding.name}, {"error", verified.error().message()}});
      state.checkProblem = verified.error().message();
      return ok();
    }
    // A refused login locks the robot's name in Harbor for 1.5 s, during which
    // even the right secret reads as anonymous: the next try waits it out.
    std::this_thread::sleep_for(registry::kFailedLoginLock + std::chrono::milliseconds(200));
  }
  count(metrics_.verifications, {"refused"});
  return verified;
}

} // namespace harborrobot::agent::ns

// One namespace's credentials: for each binding the hub lists for it, the
// generated Secret is rotated when DESIGN.md's rules say so (a new robot per
// generation from the hub, the Secret written, then the generation reported
// active), the alias copy follows the alias policy, and the ServiceAccounts'
// imagePullSecrets follow the Secrets. A pass never deletes a working
// credential because of a failure: only the hub saying a binding no longer
// targets this namespace removes a Secret.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "failpoints.h"
#include "harborrobot/dns/resolver.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/namespaceagent/agent_metrics.h"
#include "harborrobot/namespaceagent/agent_report.h"
#include "harborrobot/namespaceagent/binding_state.h"
#include "harborrobot/namespaceagent/credential_verifier.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/plugin/host.h"
#include "harborrobot/rotation/agent_decision.h"
#include "hub_client.h"

namespace harborrobot::agent::namespace_role {

class NamespaceAgent {
public:
  using Clock = std::chrono::system_clock;

  NamespaceAgent(kube::Client& client, HubClient& hub, const plugin::Host& plugins,
                 dns::Resolver& resolver, const Logger& logger, kube::EventRecorder& events,
                 std::string ns, namespaceagent::AgentMetrics metrics = {},
                 Failpoints failpoints = {});

  // Starts the Secret and ServiceAccount informers of this namespace;
  // `onChange` is called on every change they see (to run a pass early).
  void start(std::function<void()> onChange);
  void stop();
  bool waitForSync(std::chrono::milliseconds timeout);

  // One pass over every binding. Returns when the next pass is due (the
  // earliest refresh, alias check or hub poll).
  Clock::time_point runOnce();

  bool lastPassSucceeded() const { return lastPassOk_; }

private:
  using BindingState = namespaceagent::BindingState;

  Clock::time_point pass();

  // A frozen binding (its spec is invalid): its Secrets and ServiceAccount
  // entries are kept as they are, and taken out of `ours`.
  void keepFrozen(const reconcile::AgentBinding& binding, BindingState& state,
                  std::set<std::string>& ours);
  // Returns when this binding next needs attention.
  Clock::time_point reconcileBinding(const reconcile::AgentBinding& binding, BindingState& state,
                                     std::vector<std::string>& wanted, std::set<std::string>& ours);
  [[nodiscard]] Status rotate(const reconcile::AgentBinding& binding, BindingState& state,
                              const rotation::ObservedSecret& observed,
                              const std::optional<kube::Json>& current,
                              rotation::RotationReason reason);
  [[nodiscard]] Status syncAlias(const reconcile::AgentBinding& binding, BindingState& state,
                                 std::vector<std::string>& wanted);
  // False when the hub did not take it (the pass then comes back soon).
  bool report(const std::vector<reconcile::AgentBinding>& bindings);
  std::optional<kube::Json> secret(const std::string& name) const;
  void noteWrite(const std::string& name);
  // Checks the credential in place when due; a refusal makes the next decision rotate.
  void verifyInPlace(const reconcile::AgentBinding& binding, BindingState& state,
                     const std::optional<kube::Json>& current);
  // Checks a new credential before it replaces the one in place, retrying briefly
  // (a robot just created may take a moment to reach every Harbor replica).
  [[nodiscard]] Status verifyNew(const reconcile::AgentBinding& binding,
                                 const RegistryCredential& credential);
  void count(metrics::Counter* counter, const metrics::LabelValues& labels);
  void event(const std::optional<kube::Json>& object, kube::EventType type, std::string_view reason,
             const std::string& message);

  kube::Client& client_;
  HubClient& hub_;
  const plugin::Host& plugins_;
  dns::Resolver& resolver_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  std::string ns_;
  std::unique_ptr<kube::Informer> secrets_;
  std::unique_ptr<kube::Informer> serviceAccounts_;
  std::unique_ptr<kube::Informer> signal_; // the hub's harborrobot-signal ConfigMap
  std::map<std::string, BindingState> states_;
  // Secrets written moments ago are read from the API, not the cache, which may
  // not have seen the write yet; all other reads come from the watch cache, so an
  // idle agent makes no API calls.
  std::map<std::string, Clock::time_point> writtenAt_;
  namespaceagent::CredentialVerifier verifier_;
  namespaceagent::AgentMetrics metrics_;
  Failpoints failpoints_;
  namespaceagent::ReportGate reportGate_;
  bool lastPassOk_ = false;
};

} // namespace harborrobot::agent::namespace_role

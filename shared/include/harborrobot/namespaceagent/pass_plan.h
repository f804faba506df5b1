// The pure parts of a namespace agent's pass over the objects it watches: which
// Secrets are ours, which belong to a binding gone from here, which
// ServiceAccounts to bring in line and with which Secrets.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::namespaceagent {

// The bindings fingerprint the hub writes on this namespace's signal ConfigMap.
std::string signalFingerprint(const nlohmann::json& signal);

bool managedByUs(const nlohmann::json& object);
std::string aliasSecretName(const reconcile::AgentBinding& binding);

// The names of the Secrets harborrobot made.
std::set<std::string> managedSecretNames(const std::vector<nlohmann::json>& secrets);
// The names of the Secrets harborrobot made for `binding`.
std::vector<std::string> secretsOfBinding(const std::vector<nlohmann::json>& secrets,
                                          std::string_view binding);

struct OrphanedSecret {
  nlohmann::json object{};
  std::string name{};
  std::string binding{};
};
// Our Secrets whose binding the hub no longer lists for this namespace: only
// the hub saying so removes a Secret.
std::vector<OrphanedSecret> orphanedSecrets(const std::vector<nlohmann::json>& secrets,
                                            const std::set<std::string>& listedBindings);

// Each ServiceAccount's wanted Secrets: every ServiceAccount a binding names,
// and every one that names one of our Secrets (whose entries may have to go).
class ServiceAccountPlan {
public:
  // The account's Secrets from one binding; an empty account name is no account.
  void want(const std::string& account, const std::vector<std::string>& secrets);
  void includeAccountsNaming(const std::vector<nlohmann::json>& accounts,
                             const std::set<std::string>& ourSecrets);
  // Per account (sorted), its main Secrets first, then the alias copies.
  std::vector<std::pair<std::string, std::vector<std::string>>> accounts() const;

private:
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> byAccount_;
};

} // namespace harborrobot::namespaceagent

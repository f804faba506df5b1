// Which Secrets are ours, which are orphaned, and what each ServiceAccount should list.
#include "harborrobot/namespaceagent/pass_plan.h"

#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::namespaceagent {

namespace {

std::string annotation(const nlohmann::json& object, std::string_view key) {
  return stringField(objectField(objectField(object, "metadata"), "annotations"), key);
}

} // namespace

std::string signalFingerprint(const nlohmann::json& signal) {
  return annotation(signal, reconcile::kAgentSignalAnnotation);
}

bool managedByUs(const nlohmann::json& object) {
  return stringField(objectField(objectField(object, "metadata"), "labels"), kManagedByLabel) ==
         kManagedByValue;
}

std::string aliasSecretName(const reconcile::AgentBinding& binding) {
  return binding.secretName + std::string(kAliasSuffix);
}

std::set<std::string> managedSecretNames(const std::vector<nlohmann::json>& secrets) {
  std::set<std::string> names;
  for (const auto& object : secrets) {
    if (managedByUs(object)) {
      names.insert(object.value("/metadata/name"_json_pointer, std::string()));
    }
  }
  return names;
}

std::vector<std::string> secretsOfBinding(const std::vector<nlohmann::json>& secrets,
                                          std::string_view binding) {
  std::vector<std::string> names;
  for (const auto& object : secrets) {
    if (managedByUs(object) && annotation(object, kBindingAnnotation) == binding) {
      names.push_back(stringField(objectField(object, "metadata"), "name"));
    }
  }
  return names;
}

std::vector<OrphanedSecret> orphanedSecrets(const std::vector<nlohmann::json>& secrets,
                                            const std::set<std::string>& listedBindings) {
  std::vector<OrphanedSecret> orphans;
  for (const auto& object : secrets) {
    std::string binding = annotation(object, kBindingAnnotation);
    if (managedByUs(object) && !binding.empty() && !listedBindings.contains(binding)) {
      orphans.push_back(
          {object, object.value("/metadata/name"_json_pointer, std::string()), std::move(binding)});
    }
  }
  return orphans;
}

void ServiceAccountPlan::want(const std::string& account, const std::vector<std::string>& secrets) {
  if (account.empty()) {
    return;
  }
  auto& [mains, aliases] = byAccount_[account];
  for (const auto& name : secrets) {
    (name.ends_with(kAliasSuffix) ? aliases : mains).push_back(name);
  }
}

void ServiceAccountPlan::includeAccountsNaming(const std::vector<nlohmann::json>& accounts,
                                               const std::set<std::string>& ourSecrets) {
  for (const auto& account : accounts) {
    const std::string name = account.value("/metadata/name"_json_pointer, std::string());
    for (const auto& entry : account.value("imagePullSecrets", nlohmann::json::array())) {
      if (ourSecrets.contains(stringField(entry, "name"))) {
        byAccount_.try_emplace(name);
        break;
      }
    }
  }
}

std::vector<std::pair<std::string, std::vector<std::string>>> ServiceAccountPlan::accounts() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> result;
  for (const auto& [account, lists] : byAccount_) {
    std::vector<std::string> wanted = lists.first;
    wanted.insert(wanted.end(), lists.second.begin(), lists.second.end());
    result.emplace_back(account, std::move(wanted));
  }
  return result;
}

} // namespace harborrobot::namespaceagent

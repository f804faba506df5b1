#include "harborrobot/reconcile/targets.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace harborrobot::reconcile {

std::vector<std::string> targetNamespaces(const BindingSpec& spec,
                                          const std::vector<NamespaceInfo>& namespaces) {
  return selectTargets(spec, namespaces, {}).targets;
}

std::set<std::string> protectedNamespaces(std::string_view hubNamespace,
                                          const std::vector<std::string>& allowed) {
  std::set<std::string> names = {"kube-system", "kube-public", "kube-node-lease"};
  if (!hubNamespace.empty()) {
    names.emplace(hubNamespace);
  }
  for (const auto& name : allowed) {
    names.erase(name);
  }
  return names;
}

TargetSelection selectTargets(const BindingSpec& spec, const std::vector<NamespaceInfo>& namespaces,
                              const std::set<std::string>& protectedNames) {
  TargetSelection selection;
  for (const auto& ns : namespaces) {
    // A terminating namespace accepts no new Secrets; its robots are released.
    if (ns.terminating || !spec.targets(ns.name, ns.labels)) {
      continue;
    }
    (protectedNames.contains(ns.name) ? selection.excluded : selection.targets).push_back(ns.name);
  }
  std::sort(selection.targets.begin(), selection.targets.end());
  std::sort(selection.excluded.begin(), selection.excluded.end());
  return selection;
}

std::string protectedNamespacesMessage(const std::vector<std::string>& excluded) {
  return fmt::format("{} {} protected and never a target: no agent or Secret is placed in the "
                     "cluster's own namespaces or the hub's unless `kubectl harborrobot install "
                     "--allow-namespaces` names them",
                     fmt::join(excluded, ", "), excluded.size() == 1 ? "is" : "are");
}

} // namespace harborrobot::reconcile

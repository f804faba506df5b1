#include "harborrobot/reconcile/targets.h"

#include <algorithm>

namespace harborrobot::reconcile {

std::vector<std::string> targetNamespaces(const BindingSpec& spec,
                                          const std::vector<NamespaceInfo>& namespaces) {
  std::vector<std::string> targets;
  for (const auto& ns : namespaces) {
    // A terminating namespace accepts no new Secrets; its robots are released.
    if (!ns.terminating && spec.targets(ns.name, ns.labels)) {
      targets.push_back(ns.name);
    }
  }
  std::sort(targets.begin(), targets.end());
  return targets;
}

} // namespace harborrobot::reconcile

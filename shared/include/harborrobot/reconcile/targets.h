// Which namespaces a binding targets: spec.namespaces.names ∪ the selector's
// matches, among namespaces that exist and are not being deleted, minus the
// protected ones (the cluster's own and the hub's) that install did not allow.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/label_selector.h"

namespace harborrobot::reconcile {

struct NamespaceInfo {
  std::string name{};
  Labels labels{};
  bool terminating = false;
};

// Sorted by name; no namespace is protected.
std::vector<std::string> targetNamespaces(const BindingSpec& spec,
                                          const std::vector<NamespaceInfo>& namespaces);

// The namespaces no binding may target: kube-system, kube-public,
// kube-node-lease (the cluster's own; a pull Secret or an agent there serves
// nothing and widens who holds credentials) and the hub's namespace (where the
// Harbor admin password lives), minus those `allowed` names
// (`kubectl harborrobot install --allow-namespaces`).
std::set<std::string> protectedNamespaces(std::string_view hubNamespace,
                                          const std::vector<std::string>& allowed);

struct TargetSelection {
  std::vector<std::string> targets{};  // sorted
  std::vector<std::string> excluded{}; // protected namespaces the spec selects, sorted
};

TargetSelection selectTargets(const BindingSpec& spec, const std::vector<NamespaceInfo>& namespaces,
                              const std::set<std::string>& protectedNames);

// The reason and message a binding's status gives for `excluded` (not empty).
inline constexpr std::string_view kProtectedNamespaceReason = "ProtectedNamespace";
std::string protectedNamespacesMessage(const std::vector<std::string>& excluded);

} // namespace harborrobot::reconcile

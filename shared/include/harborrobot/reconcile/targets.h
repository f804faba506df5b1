// Which namespaces a binding targets: spec.namespaces.names ∪ the selector's
// matches, among namespaces that exist and are not being deleted.
#pragma once

#include <string>
#include <vector>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/label_selector.h"

namespace harborrobot::reconcile {

struct NamespaceInfo {
  std::string name{};
  Labels labels{};
  bool terminating = false;
};

// Sorted by name.
std::vector<std::string> targetNamespaces(const BindingSpec& spec,
                                          const std::vector<NamespaceInfo>& namespaces);

} // namespace harborrobot::reconcile

// The hub's gatherer over its caches.
#include "harborrobot/hub/binding_catalog.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/hub/agent_view.h"

namespace harborrobot::hub {

std::vector<std::string> BindingCatalog::targetsOf(const Resolved& resolved) const {
  if (!resolved.frozen) {
    return targets_.selectionOf(resolved.binding.spec).targets;
  }
  std::vector<std::string> recorded = // sorted
      records_.namespacesOf(resolved.binding.name, resolved.binding.uid);
  std::erase_if(recorded, [&](const std::string& ns) { return !caches_.namespaceExists(ns); });
  return recorded;
}

Result<Resolved> BindingCatalog::forAgent(std::string_view ns, std::string_view name) const {
  const auto object = caches_.binding(name);
  if (!object) {
    return makeError(ErrorCode::kNotFound, fmt::format("binding {} not found", name));
  }
  Resolved resolved = resolver_.resolve(*object);
  // A frozen binding is served (reports are recorded) in the namespaces it
  // already serves; issue() and activate() refuse it.
  const auto targets = targetsOf(resolved);
  if (!std::binary_search(targets.begin(), targets.end(), ns)) {
    return makeError(ErrorCode::kNotFound,
                     fmt::format("binding {} does not target namespace {}", name, ns));
  }
  return resolved;
}

reconcile::AgentBinding BindingCatalog::viewOf(const Resolved& resolved, const kube::Json& object,
                                               std::string_view ns) const {
  std::optional<std::int64_t> active;
  if (!ns.empty()) {
    if (const auto recorded = records_.find(resolved.binding.name, resolved.binding.uid, ns)) {
      active = recorded->secretGeneration;
    }
  }
  return agentViewOf(resolved, object, ns, active);
}

} // namespace harborrobot::hub

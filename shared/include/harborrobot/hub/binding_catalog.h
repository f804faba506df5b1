// The one gatherer of the hub: reads the caches (bindings, namespaces, targets,
// records) and answers what every part asks of a binding: resolved, targeted
// where, and what its agents are told. It writes nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/hub/binding_resolver.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/hub/targets_cache.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::hub {

// The binding informer's cache, and whether the namespace informer holds a name.
struct ClusterCaches {
  std::function<std::vector<std::shared_ptr<const kube::Json>>()> bindings;
  std::function<std::shared_ptr<const kube::Json>(std::string_view name)> binding;
  std::function<bool(std::string_view name)> namespaceExists;
};

class BindingCatalog {
public:
  BindingCatalog(ClusterCaches caches, const BindingResolver& resolver, const TargetsCache& targets,
                 const CredentialRecords& records)
      : caches_(std::move(caches)), resolver_(resolver), targets_(targets), records_(records) {}

  std::vector<std::shared_ptr<const kube::Json>> bindings() const { return caches_.bindings(); }
  // nullptr when the informer holds no binding of that name.
  std::shared_ptr<const kube::Json> find(std::string_view name) const {
    return caches_.binding(name);
  }
  Resolved resolve(const kube::Json& object) const { return resolver_.resolve(object); }
  reconcile::TargetSelection selectionOf(const BindingSpec& spec) const {
    return targets_.selectionOf(spec);
  }
  // The namespaces the binding serves, sorted: its targets, or, frozen, the
  // namespaces holding its records that still exist (what was issued, nothing new).
  std::vector<std::string> targetsOf(const Resolved& resolved) const;
  // The binding `name` as served to the agent of `ns`; kNotFound when there is
  // no such binding or it does not serve `ns`.
  [[nodiscard]] Result<Resolved> forAgent(std::string_view ns, std::string_view name) const;
  // What the hub API tells the agent of `ns` about this binding (`ns` empty:
  // the parts common to every namespace).
  reconcile::AgentBinding viewOf(const Resolved& resolved, const kube::Json& object,
                                 std::string_view ns) const;

private:
  ClusterCaches caches_;
  const BindingResolver& resolver_;
  const TargetsCache& targets_;
  const CredentialRecords& records_;
};

} // namespace harborrobot::hub

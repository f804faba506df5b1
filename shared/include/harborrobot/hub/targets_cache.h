// The namespaces each binding selects, computed from the namespace cache once per
// change of the namespaces and remembered per selection: a reconcile or an API
// call reads them without a pass over every namespace.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "harborrobot/kube/client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/reconcile/targets.h"

namespace harborrobot::hub {

// The namespace objects as the informer holds them.
using NamespaceList = std::function<std::vector<std::shared_ptr<const kube::Json>>()>;

// What target selection reads of a namespace object: name, labels, terminating.
reconcile::NamespaceInfo namespaceInfoOf(const kube::Json& object);

// The informer transform for the hub's namespace cache: keeps what the two
// functions here read (name, labels, deletion, phase) and the bookkeeping, so
// ten thousand namespaces cost a few MiB rather than their whole objects.
void keepTargetingFields(kube::Json& object);

// Whether a namespace update can change any binding's targets: its labels, its
// deletion or its phase changed.
bool namespaceChangeMatters(const kube::Json& before, const kube::Json& after);

class TargetsCache {
public:
  TargetsCache(NamespaceList namespaces, std::set<std::string> protectedNamespaces);

  // A namespace was added, removed, relabelled or started terminating. The
  // informer updates its cache before calling its handlers, so a computation
  // that read the old version number recomputes next time.
  void invalidate() { ++namespacesVersion_; }

  // The targets and the protected namespaces the spec selects but may not reach.
  reconcile::TargetSelection selectionOf(const BindingSpec& spec) const;

private:
  NamespaceList namespaces_;
  // Never targets (reconcile::protectedNamespaces); empty in tests that target anything.
  std::set<std::string> protectedNamespaces_;
  // Targets are recomputed only when a namespace is added, removed, relabelled
  // or starts terminating, or the binding's selection changes.
  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> namespacesVersion_{0};
  mutable std::uint64_t targetsVersion_ = ~std::uint64_t{0};
  mutable std::vector<reconcile::NamespaceInfo> namespaceInfos_;
  mutable std::map<std::string, reconcile::TargetSelection> targetsBySelection_;
};

} // namespace harborrobot::hub

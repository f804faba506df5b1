// The one writer of bindings' status: changes of one binding are serialized and
// batched into a single write, which starts from the object the last write stored.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/hub/binding_status_cache.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/util/group_commit.h"

namespace harborrobot::hub {

class BindingStatusWriter {
public:
  using StatusChange = std::function<void(reconcile::BindingStatus&)>;
  // The binding as the informer holds it; nullptr when it has none.
  using CachedBinding = std::function<std::shared_ptr<const kube::Json>(std::string_view name)>;
  // An error once this replica's lease is no longer current.
  using StillLeading = std::function<Status()>;

  BindingStatusWriter(kube::Client& client, const BindingStatusCache& statuses,
                      CachedBinding cached, StillLeading stillLeading);

  // Applies `change` to the binding's stored status; returns once it is written.
  [[nodiscard]] Status write(const std::string& name, StatusChange change);
  // The binding is gone: its last written object is dropped.
  void forget(const std::string& name);

private:
  [[nodiscard]] Status writeBatch(const std::string& name,
                                  const std::vector<StatusChange>& changes);

  kube::Client& client_;
  const BindingStatusCache& statuses_;
  CachedBinding cached_;
  StillLeading stillLeading_;
  // Status writes of one binding are serialized and batched (a reconcile and the
  // summaries its records' changes queue).
  GroupCommit<StatusChange> commit_;
  // The object each status write stored, so the next write starts from it
  // rather than from a GET (the watch may not have delivered it yet).
  std::mutex writtenMutex_;
  std::map<std::string, std::shared_ptr<const kube::Json>> lastWritten_;
};

} // namespace harborrobot::hub

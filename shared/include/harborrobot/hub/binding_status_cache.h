// Bindings' statuses, parsed once per resourceVersion: every reconcile, API call
// and status write reads the status, and parsing it each time was a cost of its own.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "harborrobot/kube/client.h"
#include "harborrobot/reconcile/binding_status.h"

namespace harborrobot::hub {

class BindingStatusCache {
public:
  // The binding's status, parsed once per resourceVersion (an object without one
  // is parsed every time).
  std::shared_ptr<const reconcile::BindingStatus> statusOf(const kube::Json& object) const;
  // The binding is gone.
  void forget(const std::string& name);

private:
  mutable std::mutex mutex_;
  mutable std::map<std::string,
                   std::pair<std::string, std::shared_ptr<const reconcile::BindingStatus>>>
      cache_; // binding name → (resourceVersion, parsed status)
};

} // namespace harborrobot::hub

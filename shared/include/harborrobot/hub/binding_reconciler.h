// The reconcile of one HarborRobotBinding: its finalizer, the migration of 0.1's
// per-namespace state, its targets, the cleanup of its robots and its status
// summary, then when to look again. The caller (the controller's worker) checks
// leadership and the caches first.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/hub/binding_catalog.h"
#include "harborrobot/hub/binding_status_cache.h"
#include "harborrobot/hub/binding_status_writer.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/hub/robot_cleanup.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/reconcile/binding_status.h"

namespace harborrobot::hub {

inline constexpr std::string_view kRobotsFinalizer =
    "harbor-robot-gen.alaudadevops.alauda.io/robots";

// Whether anything but the status (and the bookkeeping of every write) differs:
// compared field by field, since copying a status of thousands of namespaces on
// every event to compare the rest was itself a cost that grew with them.
bool differsOutsideStatus(const kube::Json& before, const kube::Json& after);

// When to reconcile the binding again: at the resync, sooner while Harbor may
// come back any moment, and at a planned revisit (never sooner than 100 ms).
std::chrono::milliseconds
requeueDelay(const std::optional<reconcile::BindingProblem>& problem,
             const std::optional<std::chrono::system_clock::time_point>& revisit,
             std::chrono::system_clock::time_point now);

struct ReconcilerSettings {
  std::function<Status()> stillLeading = [] { return ok(); };
  // Queues the binding after a delay.
  std::function<void(const std::string& binding, std::chrono::milliseconds after)> schedule =
      [](const std::string&, std::chrono::milliseconds) {};
};

class BindingReconciler {
public:
  BindingReconciler(kube::Client& client, const BindingCatalog& catalog,
                    const BindingStatusCache& statuses, BindingStatusWriter& writer,
                    CredentialRecords& records, RobotCleanup& cleanup, const Logger& logger,
                    kube::EventRecorder& events, ReconcilerSettings settings);

  [[nodiscard]] Status reconcile(const std::string& name);

private:
  [[nodiscard]] Status finalize(const HarborRobotBinding& binding);

  kube::Client& client_;
  const BindingCatalog& catalog_;
  const BindingStatusCache& statuses_;
  BindingStatusWriter& writer_;
  CredentialRecords& records_;
  RobotCleanup& cleanup_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  ReconcilerSettings settings_;
};

} // namespace harborrobot::hub

// Credential GC: lists a binding's robots in Harbor when the outcome can differ,
// deletes those the plan says are done with (superseded, never activated,
// untargeted, binding deleted), and forgets the records of namespaces with no
// robot left. Only a current leader deletes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harborrobot/hub/binding_catalog.h"
#include "harborrobot/hub/connection.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/hub/hub_metrics.h"
#include "harborrobot/hub/listing_memo.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/rotation/cleanup.h"

namespace harborrobot::hub {

// Many agents activate at once: their robots are listed together this long
// after the first, not once each.
inline constexpr std::chrono::seconds kListingCoalesce{2};

// What the cleanup plan depends on, besides time: the spec generation, the
// targets and each namespace's activated generation once it supersedes an
// earlier one. A first activation supersedes nothing, so a thousand agents
// starting together do not each cause a listing of the project's robots.
std::string cleanupInputsOf(std::int64_t generation, const std::vector<std::string>& targets,
                            const reconcile::RecordLookup& records);

// Each target's activated generation, as its record says (none: nothing yet).
std::map<std::string, rotation::ActiveGeneration>
activeGenerationsOf(const std::vector<std::string>& targets,
                    const reconcile::RecordLookup& records);

// The bindings a plan for binding `uid` judges by: this binding's robots are
// judged here (`active`: its targets' generations); every other binding of the
// cluster (on any connection, valid or not) only counts as existing: its own
// reconcile judges its robots, and a frozen one keeps them all. Only a robot
// whose binding UID is absent from the whole list goes as deleted.
std::map<std::string, rotation::BindingTargets>
knownBindingsOf(const std::vector<std::shared_ptr<const kube::Json>>& bindings,
                const std::string& uid, std::map<std::string, rotation::ActiveGeneration> active);

struct CleanupSettings {
  std::string clusterId{};
  std::chrono::seconds pendingTimeout{std::chrono::minutes(15)};
  const HubMetrics* metrics = nullptr; // null: not counted (tests)
  std::function<Status()> stillLeading = [] { return ok(); };
  // Queues the binding after a delay.
  std::function<void(const std::string& binding, std::chrono::milliseconds after)> schedule =
      [](const std::string&, std::chrono::milliseconds) {};
};

class RobotCleanup {
public:
  using Clock = std::chrono::system_clock;

  struct Outcome {
    // The listing failed (Harbor down, project gone): what the status says.
    std::optional<reconcile::BindingProblem> problem{};
    // When a kept robot becomes deletable.
    std::optional<Clock::time_point> revisit{};
  };

  RobotCleanup(const BindingCatalog& catalog, CredentialRecords& records, Connections& connections,
               const Logger& logger, kube::EventRecorder& events, CleanupSettings settings);

  // One reconcile's cleanup of a binding that has no problem; an error when a
  // deletion failed (the reconcile is retried).
  [[nodiscard]] Result<Outcome> run(const Resolved& resolved,
                                    const std::vector<std::string>& targets, Clock::time_point now);
  // The binding is being deleted: every robot of it goes, or, without a usable
  // connection, is left to expire (and an event says so).
  [[nodiscard]] Status deleteAll(const HarborRobotBinding& binding);

  // Makes sure the binding's robots are listed again by `when`, and queues the
  // binding then.
  void revisitAt(const std::string& binding, Clock::time_point when);
  // Harbor is failing: the next reconcile lists again, so the status says so.
  void forgetListing(const std::string& binding) { memo_.forget(binding); }
  void noteReadOnly(const std::string& connection, const Error& error);

private:
  // Deletes the records of namespaces the binding no longer serves once no robot
  // of theirs is left in Harbor (`robots`: the project's robots of ours).
  void dropSettledRecords(const HarborRobotBinding& binding,
                          const std::vector<std::string>& targets,
                          const std::vector<plugin::CredentialSummary>& robots);

  const BindingCatalog& catalog_;
  CredentialRecords& records_;
  Connections& connections_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  CleanupSettings settings_;
  ListingMemo memo_; // failed listings are never remembered
};

} // namespace harborrobot::hub

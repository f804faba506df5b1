// One binding's reconcile and its finalizer.
#include "harborrobot/hub/binding_reconciler.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/hub/harbor_robots.h"
#include "harborrobot/observability/redact.h"
#include "harborrobot/reconcile/targets.h"

namespace harborrobot::hub {

namespace {

using reconcile::BindingProblem;
using reconcile::BindingStatus;
using Clock = std::chrono::system_clock;

constexpr auto kResync = std::chrono::minutes(5);

bool hasFinalizer(const HarborRobotBinding& binding) {
  return std::find(binding.finalizers.begin(), binding.finalizers.end(), kRobotsFinalizer) !=
         binding.finalizers.end();
}

} // namespace

bool differsOutsideStatus(const kube::Json& before, const kube::Json& after) {
  const auto differs = [](const kube::Json& a, const kube::Json& b,
                          std::initializer_list<std::string_view> ignored) {
    if (!a.is_object() || !b.is_object()) {
      return a != b;
    }
    const auto skipped = [&](const std::string& key) {
      return std::find(ignored.begin(), ignored.end(), key) != ignored.end();
    };
    for (const auto& [key, value] : a.items()) {
      if (!skipped(key) && (!b.contains(key) || b.at(key) != value)) {
        return true;
      }
    }
    for (const auto& [key, value] : b.items()) {
      if (!skipped(key) && !a.contains(key)) {
        return true;
      }
    }
    return false;
  };
  const auto metadataOf = [](const kube::Json& object) {
    return object.is_object() && object.contains("metadata") ? object.at("metadata")
                                                             : kube::Json::object();
  };
  return differs(before, after, {"status", "metadata"}) ||
         differs(metadataOf(before), metadataOf(after), {"resourceVersion", "managedFields"});
}

std::chrono::milliseconds requeueDelay(const std::optional<BindingProblem>& problem,
                                       const std::optional<Clock::time_point>& revisit,
                                       Clock::time_point now) {
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(kResync);
  if (problem && (problem->reason == "HarborUnavailable" || problem->reason == "ProjectNotFound" ||
                  problem->reason == "HarborReadOnly")) {
    delay = std::chrono::seconds(10); // Harbor may be back, the project made, any moment
  }
  if (revisit) {
    const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*revisit - now);
    delay = std::clamp(until, std::chrono::milliseconds(100), delay);
  }
  return delay;
}

BindingReconciler::BindingReconciler(kube::Client& client, const BindingCatalog& catalog,
                                     const BindingStatusCache& statuses,
                                     BindingStatusWriter& writer, CredentialRecords& records,
                                     RobotCleanup& cleanup, const Logger& logger,
                                     kube::EventRecorder& events, ReconcilerSettings settings)
    : client_(client), catalog_(catalog), statuses_(statuses), writer_(writer), records_(records),
      cleanup_(cleanup), logger_(logger), events_(events), settings_(std::move(settings)) {}

Status BindingReconciler::reconcile(const std::string& name) {
  const auto object = catalog_.find(name);
  if (!object) {
    return ok(); // gone: its finalizer already ran
  }
  const Resolved resolved = catalog_.resolve(*object);
  const HarborRobotBinding& binding = resolved.binding;
  if (binding.deleting) {
    return finalize(binding);
  }
  if (!hasFinalizer(binding) && !resolved.frozen) {
    auto added = client_.modify(kube::resources::harborRobotBindings(), "", name,
                                [](kube::Json& current) -> Result<bool> {
                                  auto& finalizers = current["metadata"]["finalizers"];
                                  if (!finalizers.is_array()) {
                                    finalizers = kube::Json::array();
                                  }
                                  for (const auto& entry : finalizers) {
                                    if (entry == kRobotsFinalizer) {
                                      return false;
                                    }
                                  }
                                  finalizers.push_back(kRobotsFinalizer);
                                  return true;
                                });
    if (!added) {
      return makeError(added.error());
    }
  }

  // Release 0.1 kept each namespace's state in the binding: it becomes the
  // namespaces' records before the next status write drops it, so no active
  // generation is forgotten across the upgrade.
  for (const auto& legacy : statuses_.statusOf(*object)->legacyNamespaces) {
    if (records_.find(name, binding.uid, legacy.name)) {
      continue;
    }
    if (auto leading = settings_.stillLeading(); !leading) {
      return leading;
    }
    auto moved = records_.update(name, binding.uid, legacy.name,
                                 [&](reconcile::NamespaceStatus& state) { state = legacy; });
    if (!moved) {
      return moved;
    }
  }
  std::vector<std::string> targets;
  std::vector<std::string> excluded;
  std::optional<BindingProblem> problem = resolved.problem;
  std::optional<Clock::time_point> revisit;
  if (resolved.frozen) {
    targets = catalog_.targetsOf(resolved); // what was issued: the status keeps it
  } else {
    auto selection = catalog_.selectionOf(binding.spec);
    targets = std::move(selection.targets);
    excluded = std::move(selection.excluded);
  }
  if (!problem) {
    auto cleaned = cleanup_.run(resolved, targets, Clock::now());
    if (!cleaned) {
      return makeError(cleaned.error());
    }
    problem = std::move(cleaned->problem);
    revisit = cleaned->revisit;
  }
  const std::string registryUrl = resolved.connection ? resolved.connection->settings.url : "";
  bool newlyExcluded = false;
  bool newlyFrozen = false;
  bool unfrozen = false;
  std::optional<reconcile::LastValidSpec> validSpec;
  if (!resolved.frozen) {
    validSpec =
        reconcile::LastValidSpec{binding.generation, object->value("spec", kube::Json::object())};
  }
  auto written = writer_.write(name, [&](BindingStatus& status) {
    const auto* before = status.condition(reconcile::kNamespacesExcludedCondition);
    const std::string excludedBefore = before != nullptr ? before->message : "";
    const auto* readyBefore = status.condition("Ready");
    const bool wasFrozen = readyBefore != nullptr && readyBefore->reason == "InvalidSpec";
    newlyFrozen =
        resolved.frozen && (!wasFrozen || readyBefore->message != redactSecrets(problem->message));
    unfrozen = !resolved.frozen && wasFrozen;
    records_.withRecords(name, binding.uid, [&](const reconcile::RecordLookup& records) {
      status = reconcile::summarize(
          {binding.generation, targets, problem, registryUrl, excluded, validSpec}, records, status,
          Clock::now());
    });
    const auto* after = status.condition(reconcile::kNamespacesExcludedCondition);
    newlyExcluded = after != nullptr && after->message != excludedBefore;
  });
  if (written && newlyFrozen) {
    logger_.warn("binding frozen: invalid spec", {{"binding", name}, {"error", problem->message}});
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning, "InvalidSpec",
                         problem->message);
  }
  if (written && unfrozen) {
    logger_.info("binding unfrozen: the spec is valid again", {{"binding", name}});
    (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "SpecValid",
                         "the spec is valid again; credentials follow it");
  }
  if (written && newlyExcluded) {
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning,
                         reconcile::kProtectedNamespaceReason,
                         reconcile::protectedNamespacesMessage(excluded));
  }
  if (!written) {
    return written;
  }
  settings_.schedule(name, requeueDelay(problem, revisit, Clock::now()));
  return ok();
}

Status BindingReconciler::finalize(const HarborRobotBinding& binding) {
  if (!hasFinalizer(binding)) {
    return ok();
  }
  if (auto deleted = cleanup_.deleteAll(binding); !deleted) {
    return deleted;
  }
  auto removed = client_.modify(kube::resources::harborRobotBindings(), "", binding.name,
                                [](kube::Json& current) -> Result<bool> {
                                  auto& finalizers = current["metadata"]["finalizers"];
                                  if (!finalizers.is_array()) {
                                    return false;
                                  }
                                  const auto before = finalizers.size();
                                  finalizers.erase(std::remove(finalizers.begin(), finalizers.end(),
                                                               kube::Json(kRobotsFinalizer)),
                                                   finalizers.end());
                                  return finalizers.size() != before;
                                });
  if (!removed && removed.error().code() != ErrorCode::kNotFound) {
    return makeError(removed.error());
  }
  return ok();
}

} // namespace harborrobot::hub

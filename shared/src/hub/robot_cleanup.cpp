// Credential GC of one binding: listing memo, plan, deletions, settled records.
#include "harborrobot/hub/robot_cleanup.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harborrobot/hub/harbor_robots.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/rotation/marker.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::hub {

namespace {

// A listing also shows whether Harbor and the project are there: repeated at
// least this often, so an outage shows in the status within a minute.
constexpr auto kListingMaxAge = std::chrono::minutes(1);

} // namespace

std::string cleanupInputsOf(std::int64_t generation, const std::vector<std::string>& targets,
                            const reconcile::RecordLookup& records) {
  std::string inputs = fmt::format("{}|{}|", generation, fmt::join(targets, ","));
  for (const auto& ns : targets) {
    const auto* entry = records(ns);
    if (entry == nullptr || entry->secretGeneration <= 1) {
      continue;
    }
    inputs += fmt::format("{}:{}:{};", ns, entry->secretGeneration,
                          entry->activeSince ? formatRfc3339(*entry->activeSince) : "");
  }
  return inputs;
}

std::map<std::string, rotation::ActiveGeneration>
activeGenerationsOf(const std::vector<std::string>& targets,
                    const reconcile::RecordLookup& records) {
  std::map<std::string, rotation::ActiveGeneration> active;
  for (const auto& ns : targets) {
    rotation::ActiveGeneration entry;
    if (const auto* recorded = records(ns)) {
      entry.generation = recorded->secretGeneration;
      entry.activeSince = recorded->activeSince.value_or(std::chrono::system_clock::time_point{});
      entry.lastReport = recorded->lastReportTime;
    }
    active.emplace(ns, entry);
  }
  return active;
}

std::map<std::string, rotation::BindingTargets>
knownBindingsOf(const std::vector<std::shared_ptr<const kube::Json>>& bindings,
                const std::string& uid, std::map<std::string, rotation::ActiveGeneration> active) {
  std::map<std::string, rotation::BindingTargets> known;
  for (const auto& other : bindings) {
    const std::string otherUid = other->value("/metadata/uid"_json_pointer, std::string());
    if (otherUid.empty()) {
      continue;
    }
    rotation::BindingTargets entry;
    entry.bindingUid = otherUid;
    if (otherUid != uid) {
      entry.keepAll = true;
    } else {
      entry.namespaces = active;
    }
    known.emplace(otherUid, std::move(entry));
  }
  return known;
}

RobotCleanup::RobotCleanup(const BindingCatalog& catalog, CredentialRecords& records,
                           Connections& connections, const Logger& logger,
                           kube::EventRecorder& events, CleanupSettings settings)
    : catalog_(catalog), records_(records), connections_(connections), logger_(logger),
      events_(events), settings_(std::move(settings)) {}

Result<RobotCleanup::Outcome> RobotCleanup::run(const Resolved& resolved,
                                                const std::vector<std::string>& targets,
                                                Clock::time_point now) {
  const HarborRobotBinding& binding = resolved.binding;
  const std::string& name = binding.name;
  // Listing the project's robots costs Harbor calls that grow with the number of
  // namespaces, so it runs only when its outcome can differ: the binding's
  // generation, targets or activated generations changed, a planned revisit (a
  // grace period ending) is due, or kResync passed. An agent report that changes
  // none of these (the common case) costs no Harbor call.
  std::string cleanupInputs;
  records_.withRecords(name, binding.uid, [&](const reconcile::RecordLookup& records) {
    cleanupInputs = cleanupInputsOf(binding.generation, targets, records);
  });
  Outcome outcome;
  if (const auto memo = memo_.check(name, cleanupInputs, now); !memo.listingDue) {
    outcome.revisit = memo.revisit;
    return outcome;
  }
  auto robots = listOurRobots(*resolved.connection, binding.spec.project);
  if (!robots) {
    outcome.problem = reconcile::BindingProblem{
        robots.error().code() == ErrorCode::kNotFound ? "ProjectNotFound" : "HarborUnavailable",
        robots.error().message()};
  } else {
    std::map<std::string, rotation::ActiveGeneration> active;
    records_.withRecords(name, binding.uid, [&](const reconcile::RecordLookup& records) {
      active = activeGenerationsOf(targets, records);
    });
    const auto known = knownBindingsOf(catalog_.bindings(), binding.uid, std::move(active));
    if (settings_.metrics != nullptr) {
      settings_.metrics->robotsManaged->set(static_cast<double>(robots->size()), {name});
    }
    std::vector<rotation::OurRobot> ours;
    for (const auto& robot : *robots) {
      ours.push_back({robot.id, robot.username, robot.description, robot.createdAt});
    }
    const auto plan = rotation::planCleanup(
        ours, settings_.clusterId, known,
        {std::chrono::duration_cast<std::chrono::seconds>(binding.spec.gracePeriod),
         settings_.pendingTimeout},
        Clock::now());
    for (const auto& deletion : plan.deletions) {
      if (auto leading = settings_.stillLeading(); !leading) {
        return makeError(leading.error());
      }
      auto removed =
          (*resolved.connection->provider)->deleteCredential(binding.spec.project, deletion.id);
      if (!removed) {
        noteReadOnly(binding.spec.connectionName, removed.error());
        return makeError(removed.error());
      }
      logger_.info("robot deleted", {{"binding", name},
                                     {"robot", deletion.username},
                                     {"reason", rotation::cleanupReasonName(deletion.reason)}});
      (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "RobotDeleted",
                           fmt::format("deleted {} ({})", deletion.username,
                                       rotation::cleanupReasonName(deletion.reason)));
    }
    outcome.revisit = plan.revisitAt;
    std::erase_if(*robots, [&](const plugin::CredentialSummary& robot) {
      return std::any_of(plan.deletions.begin(), plan.deletions.end(),
                         [&](const auto& deletion) { return deletion.id == robot.id; });
    });
    dropSettledRecords(binding, targets, *robots);
  }
  if (outcome.problem) {
    memo_.forget(name); // a failed listing is tried again, never remembered
  } else {
    memo_.remember(name, cleanupInputs, now + kListingMaxAge, outcome.revisit);
  }
  return outcome;
}

Status RobotCleanup::deleteAll(const HarborRobotBinding& binding) {
  const auto connection = connections_.find(binding.spec.connectionName);
  if (connection && connection->usable()) {
    auto robots = listOurRobots(*connection, binding.spec.project);
    if (!robots && robots.error().code() != ErrorCode::kNotFound) {
      return makeError(robots.error()); // Harbor down: keep the finalizer and retry
    }
    if (robots) {
      for (const auto& robot : *robots) {
        const auto marker = rotation::parseMarker(robot.description);
        if (!marker || marker->clusterId != settings_.clusterId ||
            marker->bindingUid != binding.uid) {
          continue;
        }
        if (auto leading = settings_.stillLeading(); !leading) {
          return leading;
        }
        auto removed = (*connection->provider)->deleteCredential(binding.spec.project, robot.id);
        if (!removed) {
          noteReadOnly(binding.spec.connectionName, removed.error());
          return makeError(removed.error());
        }
        logger_.info(
            "robot deleted",
            {{"binding", binding.name}, {"robot", robot.username}, {"reason", "BindingDeleted"}});
      }
    }
  } else {
    // Without a usable connection the robots cannot be reached; they expire on
    // their own (their duration is the backstop). Say so rather than block.
    (void)events_.record(referenceTo(binding), kube::EventType::kWarning, "RobotsNotDeleted",
                         fmt::format("connection {} is not usable; this binding's robots in "
                                     "project {} are left to expire",
                                     binding.spec.connectionName, binding.spec.project));
  }
  return ok();
}

void RobotCleanup::dropSettledRecords(const HarborRobotBinding& binding,
                                      const std::vector<std::string>& targets,
                                      const std::vector<plugin::CredentialSummary>& robots) {
  for (const auto& ns : records_.namespacesOf(binding.name, binding.uid)) {
    if (std::binary_search(targets.begin(), targets.end(), ns)) {
      continue;
    }
    // The record is the hub's memory of what the namespace holds: forgotten only
    // once Harbor shows no robot of the namespace left to account for.
    const bool robotLeft = std::any_of(robots.begin(), robots.end(), [&](const auto& robot) {
      const auto marker = rotation::parseMarker(robot.description);
      return marker && marker->clusterId == settings_.clusterId &&
             marker->bindingUid == binding.uid && marker->ns == ns;
    });
    if (robotLeft || !settings_.stillLeading()) {
      continue;
    }
    if (auto removed = records_.remove(binding.name, ns); !removed) {
      logger_.warn(
          "deleting a settled credential record",
          {{"binding", binding.name}, {"namespace", ns}, {"error", removed.error().message()}});
    }
  }
}

void RobotCleanup::noteReadOnly(const std::string& connection, const Error& error) {
  if (registry::isReadOnlyError(error)) {
    // The connection is checked again now, so every binding on it says
    // HarborReadOnly at once and waits, instead of failing call after call.
    connections_.recheckNow(connection);
  }
}

void RobotCleanup::revisitAt(const std::string& binding, Clock::time_point when) {
  memo_.revisitBy(binding, when);
  settings_.schedule(binding, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::max(when - Clock::now(), Clock::duration::zero())));
}

} // namespace harborrobot::hub

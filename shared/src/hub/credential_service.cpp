// The hub API's operations: bindingsFor, issue, activate, report.
#include "harborrobot/hub/credential_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/hub/harbor_robots.h"
#include "harborrobot/rotation/marker.h"

namespace harborrobot::hub {

using Clock = std::chrono::system_clock;

CredentialService::CredentialService(const BindingCatalog& catalog, CredentialRecords& records,
                                     RobotCleanup& cleanup, AgentFleet& fleet, const Logger& logger,
                                     kube::EventRecorder& events,
                                     CredentialServiceSettings settings)
    : catalog_(catalog), records_(records), cleanup_(cleanup), fleet_(fleet), logger_(logger),
      events_(events), settings_(std::move(settings)) {}

Result<std::vector<reconcile::AgentBinding>> CredentialService::bindingsFor(std::string_view ns) {
  std::vector<reconcile::AgentBinding> result;
  for (const auto& object : catalog_.bindings()) {
    const Resolved resolved = catalog_.resolve(*object);
    const auto targets = catalog_.targetsOf(resolved); // frozen: what was issued
    if (!std::binary_search(targets.begin(), targets.end(), ns)) {
      continue;
    }
    result.push_back(catalog_.viewOf(resolved, *object, ns));
  }
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return result;
}

Result<reconcile::IssuedCredential>
CredentialService::issue(std::string_view ns, std::string_view name,
                         const reconcile::CredentialRequest& request) {
  auto resolved = catalog_.forAgent(ns, name);
  if (!resolved) {
    return makeError(resolved.error());
  }
  if (resolved->problem) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{}: {}", resolved->problem->reason, resolved->problem->message));
  }
  const HarborRobotBinding& binding = resolved->binding;
  const auto steadyNow = std::chrono::steady_clock::now();
  if (auto found = issued_.find(ns, name, request.rotationId, steadyNow)) {
    return *found;
  }
  const auto recorded = records_.find(binding.name, binding.uid, ns);
  if (recorded && request.generation <= recorded->secretGeneration) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("generation {} is not newer than the active generation {}",
                                 request.generation, recorded->secretGeneration));
  }
  const auto& provider = *resolved->connection->provider;
  const std::string robotName = robotNameOf(binding, ns, settings_.clusterId, request.generation);
  plugin::CredentialRequest create;
  create.project = binding.spec.project;
  create.name = robotName;
  create.description =
      rotation::formatMarker({settings_.clusterId, binding.name, binding.uid, std::string(ns),
                              request.generation, request.rotationId});
  create.access = permissionsOf(binding.spec);
  create.lifetime = binding.spec.robotLifetime;
  auto credential = provider->createCredential(create);
  if (!credential && credential.error().code() == ErrorCode::kAlreadyExists) {
    // An earlier attempt at this generation whose answer was lost: its secret
    // cannot be read back from Harbor, so it is replaced (it was never active).
    // Only this rare case lists the project's robots; a listing per issue made
    // the hub's Harbor traffic grow with the square of the namespaces.
    auto robots = listOurRobots(*resolved->connection, binding.spec.project);
    if (!robots) {
      return makeError(robots.error());
    }
    for (const auto& robot : *robots) {
      const auto marker = rotation::parseMarker(robot.description);
      if (marker && marker->clusterId == settings_.clusterId && marker->bindingUid == binding.uid &&
          marker->ns == ns && marker->generation == request.generation) {
        if (auto removed = provider->deleteCredential(binding.spec.project, robot.id); !removed) {
          return makeError(removed.error());
        }
      }
    }
    credential = provider->createCredential(create);
  }
  if (!credential) {
    cleanup_.noteReadOnly(binding.spec.connectionName, credential.error());
    if (isTransient(credential.error().code())) {
      // Harbor is failing: the next reconcile lists again, so the status says so.
      cleanup_.forgetListing(binding.name);
      settings_.enqueue(binding.name);
    }
    return makeError(credential.error());
  }
  reconcile::IssuedCredential issued{credential->username, credential->secret, request.generation,
                                     robotName, credential->expiresAt};
  issued_.remember(ns, name, request.rotationId, issued, steadyNow);
  logger_.info("credential issued", {{"binding", binding.name},
                                     {"namespace", ns},
                                     {"robot", credential->username},
                                     {"generation", request.generation}});
  (void)events_.record(referenceTo(binding), kube::EventType::kNormal, "RobotCreated",
                       fmt::format("created {} (generation {}) for namespace {}",
                                   credential->username, request.generation, ns));
  // Should this robot never be activated, it is due for deletion after the
  // pending timeout: the listing then finds it (no listing is needed now).
  cleanup_.revisitAt(binding.name,
                     Clock::now() + settings_.pendingTimeout + std::chrono::seconds(1));
  return issued;
}

Status CredentialService::wasIssued(const Resolved& resolved, std::string_view ns,
                                    std::int64_t generation) {
  if (const auto recorded = records_.find(resolved.binding.name, resolved.binding.uid, ns);
      recorded && generation <= recorded->secretGeneration) {
    return ok(); // already recorded (or older, which changes nothing)
  }
  if (issued_.issuedGeneration(ns, resolved.binding.name, generation)) {
    return ok();
  }
  // Not in this hub's memory (it restarted since, or another replica issued
  // it): Harbor must hold our robot for exactly this generation.
  if (!resolved.connection || !resolved.connection->usable()) {
    return makeError(ErrorCode::kUnavailable,
                     "the connection is not usable: the generation cannot be checked now");
  }
  auto robots = listOurRobots(*resolved.connection, resolved.binding.spec.project);
  if (!robots) {
    return makeError(robots.error());
  }
  for (const auto& robot : *robots) {
    const auto marker = rotation::parseMarker(robot.description);
    if (marker && marker->clusterId == settings_.clusterId &&
        marker->bindingUid == resolved.binding.uid && marker->ns == ns &&
        marker->generation == generation) {
      return ok();
    }
  }
  return makeError(ErrorCode::kPermissionDenied,
                   fmt::format("generation {} of binding {} was never issued for namespace {}",
                               generation, resolved.binding.name, ns));
}

Status CredentialService::activate(std::string_view ns, std::string_view name,
                                   const reconcile::Activation& activation) {
  auto resolved = catalog_.forAgent(ns, name);
  if (!resolved) {
    return makeError(resolved.error());
  }
  if (resolved->frozen) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{}: {}", resolved->problem->reason, resolved->problem->message));
  }
  if (auto issued = wasIssued(*resolved, ns, activation.generation); !issued) {
    return issued;
  }
  const auto now = Clock::now();
  const std::string robotName =
      robotNameOf(resolved->binding, ns, settings_.clusterId, activation.generation);
  const std::string registryUrl = resolved->connection ? resolved->connection->settings.url : "";
  bool supersedes = false;
  auto written = records_.update(resolved->binding.name, resolved->binding.uid, std::string(ns),
                                 [&](reconcile::NamespaceStatus& state) {
                                   if (activation.generation < state.secretGeneration) {
                                     return; // a late, older activation never moves the record back
                                   }
                                   if (activation.generation > state.secretGeneration) {
                                     state.activeSince = now;
                                     state.lastRefreshTime = now;
                                   }
                                   supersedes = activation.generation > 1;
                                   state.secretGeneration = activation.generation;
                                   state.robotName = robotName;
                                   state.harbor = registryUrl;
                                 });
  if (written && supersedes) {
    // An older robot is now superseded. Many agents activate at once: their
    // robots are listed together a moment later, not once each.
    cleanup_.revisitAt(std::string(name), Clock::now() + kListingCoalesce);
  }
  return written;
}

Status CredentialService::report(std::string_view ns, const reconcile::AgentReport& report) {
  const auto now = Clock::now();
  if (report.bindings.empty()) {
    if (fleet_.reportedEmpty(ns)) {
      settings_.enqueue(settings_.agentsKey);
    }
    return ok();
  }
  for (const auto& entry : report.bindings) {
    auto resolved = catalog_.forAgent(ns, entry.binding);
    if (!resolved) {
      continue; // a binding that no longer targets this namespace: nothing to record
    }
    // The binding's summary (Ready) follows the record's change (see
    // CredentialRecords' OnChange).
    const std::string registryUrl = resolved->connection ? resolved->connection->settings.url : "";
    auto written = records_.update(resolved->binding.name, resolved->binding.uid, std::string(ns),
                                   [&](reconcile::NamespaceStatus& state) {
                                     reconcile::applyReport(state, entry, now);
                                     state.harbor = registryUrl;
                                   });
    if (!written) {
      return written;
    }
  }
  return ok();
}

} // namespace harborrobot::hub

// The agent fleet's sync, its removal rule and the out-of-line destructors of
// the interfaces it drives.
#include "harborrobot/hub/agent_fleet.h"

#include <fmt/format.h>

#include "harborrobot/hub/agent_view.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::hub {

AgentDeployment::~AgentDeployment() = default;
AgentSignalling::~AgentSignalling() = default;

void RemovableAgents::targeted(const std::set<std::string>& namespaces) {
  std::erase_if(untargetedSince_,
                [&](const auto& entry) { return namespaces.contains(entry.first); });
  for (const auto& ns : namespaces) {
    reportedEmpty_.erase(ns);
  }
}

bool RemovableAgents::mayRemove(const std::string& ns, TimePoint now) {
  const auto since = untargetedSince_.try_emplace(ns, now).first->second;
  const auto empty = reportedEmpty_.find(ns);
  // The agent said it holds nothing (after the namespace stopped being a
  // target), or it has had ample time to: an agent that cannot clean up
  // (crash-looping, namespace going away) does not keep its Deployment forever.
  const bool removable =
      (empty != reportedEmpty_.end() && empty->second >= since) || now - since > timeout_;
  if (removable) {
    untargetedSince_.erase(ns);
    reportedEmpty_.erase(ns);
  }
  return removable;
}

FleetView gatherFleetView(const BindingCatalog& catalog) {
  FleetView fleet;
  // Each target namespace's fingerprint: what its agent is told, minus what
  // only agents change (the active generation), so their own progress does
  // not wake them.
  std::map<std::string, std::string> views;
  for (const auto& object : catalog.bindings()) {
    const Resolved resolved = catalog.resolve(*object);
    const auto& binding = resolved.binding;
    // The hub API's own wire form of the view, so no field can be left out.
    const std::string view =
        fmt::format("{}{};", jsonText(reconcile::toJson(catalog.viewOf(resolved, *object, ""))),
                    binding.deleting ? "deleting" : "");
    for (const auto& ns : catalog.targetsOf(resolved)) {
      if (!binding.deleting) {
        fleet.namespaces.insert(ns);
      }
      auto& text = views[ns];
      text += view;
      if (const auto rotate = rotateRequestedAt(*object, ns)) {
        text += formatRfc3339(*rotate) + ";";
      }
    }
  }
  fleet.fingerprints = fingerprintsOf(views);
  return fleet;
}

AgentFleet::AgentFleet(AgentSignalling& signals, AgentDeployment* deployer,
                       std::function<Status()> stillLeading, Requeue requeue)
    : signals_(signals), deployer_(deployer), stillLeading_(std::move(stillLeading)),
      requeue_(std::move(requeue)) {}

Status AgentFleet::sync(const FleetView& view) {
  Status signalled = signals_.sync(view.fingerprints);
  if (deployer_ == nullptr) {
    if (!signalled) {
      requeue_(std::chrono::seconds(10));
    }
    return ok(); // a namespace that cannot be signalled is retried, not a failure of all
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  removable_.targeted(view.namespaces);
  if (auto leading = stillLeading_(); !leading) {
    return leading; // agents are removed by a current leader only
  }
  auto synced = deployer_->sync(
      view.namespaces, [&](const std::string& ns) { return removable_.mayRemove(ns, now); });
  if (synced && removable_.anyUntargeted()) {
    requeue_(std::chrono::seconds(30));
  }
  if (!signalled) {
    requeue_(std::chrono::seconds(10));
  }
  return synced;
}

bool AgentFleet::reportedEmpty(std::string_view ns) {
  {
    std::lock_guard lock(mutex_);
    removable_.reportedEmpty(std::string(ns), std::chrono::steady_clock::now());
  }
  return deployer_ != nullptr;
}

} // namespace harborrobot::hub

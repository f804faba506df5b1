// What the hub API tells a namespace's agent about a binding, and the
// fingerprint of it that wakes the agent when it changes. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/hub/binding_resolver.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::hub {

// `kubectl harborrobot rotate`: one annotation for every namespace, one per
// namespace (and, for one release, the per-namespace key of 0.1). The latest wins.
std::optional<std::chrono::system_clock::time_point> rotateRequestedAt(const kube::Json& object,
                                                                       std::string_view ns);

// What the hub API tells the agent of `ns` about this binding (`ns` empty: the
// parts common to every namespace). `activeGeneration`: the namespace's record's.
reconcile::AgentBinding agentViewOf(const Resolved& resolved, const kube::Json& object,
                                    std::string_view ns,
                                    std::optional<std::int64_t> activeGeneration);

// Each target namespace's fingerprint, from the text of what its agent is told.
std::map<std::string, std::string> fingerprintsOf(const std::map<std::string, std::string>& views);

} // namespace harborrobot::hub

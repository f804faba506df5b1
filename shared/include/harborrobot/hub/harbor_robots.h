// What the hub's parts agree on about a binding's robots in Harbor: their names,
// their permissions, how ours are listed, and the object events name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/hub/connection.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot::hub {

// The binding as an event's subject.
kube::ObjectReference referenceTo(const HarborRobotBinding& binding);

std::vector<plugin::Permission> permissionsOf(const BindingSpec& spec);

// The robot's short name, shortened where a long project name leaves less room
// in Harbor's 255-character stored name (resolve() refuses projects too long).
std::string robotNameOf(const HarborRobotBinding& binding, std::string_view ns,
                        std::string_view clusterId, std::int64_t generation);

// The project's robots that carry our marker.
[[nodiscard]] Result<std::vector<plugin::CredentialSummary>>
listOurRobots(const Connection& connection, const std::string& project);

} // namespace harborrobot::hub

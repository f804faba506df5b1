// Names, permissions and listings of the hub's robots.
#include "harborrobot/hub/harbor_robots.h"

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/rotation/marker.h"

namespace harborrobot::hub {

kube::ObjectReference referenceTo(const HarborRobotBinding& binding) {
  return {.apiVersion = std::string(kBindingApiVersion),
          .kind = std::string(kBindingKind),
          .name = binding.name,
          .uid = binding.uid};
}

std::vector<plugin::Permission> permissionsOf(const BindingSpec& spec) {
  std::vector<plugin::Permission> permissions;
  for (const auto& access : spec.access) {
    permissions.push_back({access.resource, access.action});
  }
  return permissions;
}

std::string robotNameOf(const HarborRobotBinding& binding, std::string_view ns,
                        std::string_view clusterId, std::int64_t generation) {
  const auto room = registry::robotNameRoom(binding.spec.project, kMinRobotNameLength);
  return robotNameFor(
      {binding.name, ns, clusterId, binding.uid, generation, room ? *room : kMinRobotNameLength});
}

Result<std::vector<plugin::CredentialSummary>> listOurRobots(const Connection& connection,
                                                             const std::string& project) {
  return (*connection.provider)->listCredentials(project, rotation::kMarkerPrefix);
}

} // namespace harborrobot::hub

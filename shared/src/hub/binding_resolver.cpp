// resolve(): spec → Resolved, with the problem that keeps a binding from being
// served, or frozen at its last valid spec.
#include "harborrobot/hub/binding_resolver.h"

#include <fmt/format.h>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::hub {

using reconcile::BindingProblem;

Resolved BindingResolver::resolve(const kube::Json& object) const {
  Resolved resolved;
  auto parsed = parseBinding(object);
  if (!parsed) {
    // Frozen: what was issued under the last valid spec stays as it is (agents
    // keep their Secrets, no robot is deleted) until the spec is fixed.
    resolved.frozen = true;
    const auto metadata = objectField(object, "metadata");
    const auto& lastValid = statuses_.statusOf(object)->lastValidSpec;
    std::optional<HarborRobotBinding> frozen;
    if (lastValid) {
      kube::Json copy = object;
      copy["spec"] = lastValid->spec;
      if (auto reparsed = parseBinding(copy)) {
        frozen = std::move(*reparsed);
      }
    }
    if (frozen) {
      resolved.binding = std::move(*frozen);
      resolved.frozenSpecGeneration = lastValid->generation;
    } else {
      resolved.binding.name = stringField(metadata, "name");
      resolved.binding.uid = stringField(metadata, "uid");
      resolved.binding.generation = intField(metadata, "generation", 0);
      resolved.binding.deleting = metadata.contains("deletionTimestamp");
    }
    resolved.problem = BindingProblem{
        "InvalidSpec",
        fmt::format("{}; the binding is frozen: {}", parsed.error().message(),
                    frozen ? fmt::format("the credentials issued under its last valid spec "
                                         "(generation {}) stay in place, nothing is rotated or "
                                         "deleted until the spec is fixed",
                                         lastValid->generation)
                           : std::string("no valid spec is known, so nothing is issued; what "
                                         "agents hold for it stays in place"))};
    if (!frozen) {
      return resolved;
    }
    // The connection is still resolved: a deletion of the binding removes the
    // robots of its last valid spec.
    const auto& spec = resolved.binding.spec;
    if (spec.connectionNamespace == connections_.ns()) {
      resolved.connection = connections_.find(spec.connectionName);
    }
    return resolved;
  }
  resolved.binding = std::move(*parsed);
  const auto& spec = resolved.binding.spec;
  if (spec.connectionNamespace != connections_.ns()) {
    resolved.problem = BindingProblem{
        "ConnectionOutsideHubNamespace",
        fmt::format("spec.harbor.secret.namespace is {}; the hub reads connection Secrets only "
                    "in {}",
                    spec.connectionNamespace, connections_.ns())};
    return resolved;
  }
  resolved.connection = connections_.find(spec.connectionName);
  if (!resolved.connection) {
    resolved.problem =
        BindingProblem{"ConnectionNotFound", fmt::format("no Secret {}/{} with label {}: \"true\"",
                                                         spec.connectionNamespace,
                                                         spec.connectionName, kConnectionLabel)};
  } else if (!resolved.connection->usable()) {
    resolved.problem =
        BindingProblem{resolved.connection->problemReason, resolved.connection->problemMessage};
  } else if (auto room = registry::robotNameRoom(spec.project, kMinRobotNameLength); !room) {
    resolved.problem = BindingProblem{"ProjectNameTooLong", room.error().message()};
  } else if (const auto version = registry::parseHarborVersion(
                 resolved.connection->server ? resolved.connection->server->version : "");
             version) {
    if (auto accepted = registry::checkAccessForVersion(spec.access, *version); !accepted) {
      resolved.problem = BindingProblem{"PermissionUnsupported", accepted.error().message()};
    }
  }
  return resolved;
}

} // namespace harborrobot::hub

// Turns a binding object into what the hub acts on: its parsed spec, its
// connection, and the first problem that keeps it from being served. An invalid
// spec freezes the binding at its last valid spec (recorded in its status).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "harborrobot/hub/binding_status_cache.h"
#include "harborrobot/hub/connection.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/reconcile/binding_status.h"

namespace harborrobot::hub {

struct Resolved {
  HarborRobotBinding binding;
  std::shared_ptr<const Connection> connection;
  std::optional<reconcile::BindingProblem> problem;
  // The spec is invalid (problem InvalidSpec): `binding` holds the last valid
  // spec recorded in the status, or only the metadata when none is known
  // (frozenSpecGeneration 0).
  bool frozen = false;
  std::int64_t frozenSpecGeneration = 0;
};

class BindingResolver {
public:
  BindingResolver(const Connections& connections, const BindingStatusCache& statuses)
      : connections_(connections), statuses_(statuses) {}

  // Never fails: what cannot be served says why in `problem`.
  Resolved resolve(const kube::Json& object) const;

private:
  const Connections& connections_;
  const BindingStatusCache& statuses_;
};

} // namespace harborrobot::hub

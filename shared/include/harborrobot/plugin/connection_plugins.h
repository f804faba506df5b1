// The plugins a Harbor connection chooses, checked against the ones the host
// loaded. The connection parser only checks how a name is spelled; this is
// where a name that no loaded plugin registered becomes a clear error.
#pragma once

#include "harborrobot/core/result.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/plugin/host.h"

namespace harborrobot::plugin {

// Checks the provider, the alias policy when an alias is set, and the project
// resolver with its expression when projectFieldsPath is set. The error names
// the field, the value and the names the host has (or why the resolver refused
// the expression).
[[nodiscard]] Status checkConnectionPlugins(const HarborConnection& connection, const Host& host);

} // namespace harborrobot::plugin

// The resource types the plugin reads and writes by kind (install, uninstall).
#pragma once

#include <optional>
#include <string_view>

#include "harborrobot/kube/resource.h"

namespace harborrobot::cli {

// The type for an object's apiVersion and kind, when the plugin knows it.
std::optional<kube::ResourceType> typeOf(std::string_view apiVersion, std::string_view kind);

} // namespace harborrobot::cli

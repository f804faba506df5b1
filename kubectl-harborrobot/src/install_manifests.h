// The install objects with the CRDs this binary carries: a Krew install ships
// the binary alone, so the CRDs are compiled in (embedded_crd.cpp.in).
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/install/cluster_objects.h"

namespace harborrobot::cli {

using install::InstallOptions;

std::string_view embeddedCrdYaml();
std::string_view embeddedCredentialCrdYaml(); // HarborRobotCredential

// install::installObjects with the embedded CRDs.
[[nodiscard]] Result<std::vector<nlohmann::json>> installObjects(const InstallOptions& options);

} // namespace harborrobot::cli

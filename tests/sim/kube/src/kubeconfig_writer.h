// Writes the kubeconfig a test hands to the real kubectl: the simulator's CA, its
// URL, a bearer-token user (the default context) and a client-certificate user.
#pragma once

#include <filesystem>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/sim/test_pki.h"

namespace harborrobot::kubesim {

Status writeKubeconfig(const std::filesystem::path& path, const std::string& serverUrl,
                       const std::string& token, const sim::PkiFiles& pki);

} // namespace harborrobot::kubesim

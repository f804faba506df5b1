// What starting a simulator needs, whether as the harborrobot-kube-sim process
// or in-process for unit tests: a random admin token, and its CA read back.
#pragma once

#include <filesystem>
#include <string>

namespace harborrobot::kubesim {

// 32 characters of [a-z0-9] from std::random_device.
std::string randomToken();

// The whole text of `path`; empty when it cannot be read.
std::string readTextFile(const std::filesystem::path& path);

} // namespace harborrobot::kubesim

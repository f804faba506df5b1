// `harborrobot-agent namespace`: one namespace's pull credentials.
#pragma once

#include <string>
#include <vector>

namespace harborrobot::agent {

// argv without the program and role names. Returns the process exit code.
int runNamespaceRole(const std::vector<std::string>& args);

} // namespace harborrobot::agent

// `harborrobot-agent hub`: the only holder of Harbor admin credentials.
#pragma once

#include <string>
#include <vector>

namespace harborrobot::agent {

// argv without the program and role names. Returns the process exit code.
int runHubRole(const std::vector<std::string>& args);

} // namespace harborrobot::agent

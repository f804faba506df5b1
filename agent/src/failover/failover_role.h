// `harborrobot-agent failover`: seed 003's Harbor DR start/stop watchdog.
#pragma once

#include <string>
#include <vector>

namespace harborrobot::agent {

// argv without the program and role names. Returns the process exit code.
int runFailoverRole(const std::vector<std::string>& args);

} // namespace harborrobot::agent

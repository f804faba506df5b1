// `harborrobot-agent failover`: the Harbor DR start/stop watchdog of Alauda's DR guide.
#pragma once

#include <string>
#include <vector>

namespace harborrobot::agent {

// argv without the program and role names. Returns the process exit code.
int runFailoverRole(const std::vector<std::string>& args);

} // namespace harborrobot::agent

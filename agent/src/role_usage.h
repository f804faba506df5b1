// What every role does with flags that do not parse.
#pragma once

#include <string_view>

#include "harborrobot/core/error.h"
#include "harborrobot/util/role_flags.h"

namespace harborrobot::agent {

// --help (an error without a message) prints the usage to stdout and exits 0;
// anything else prints "harborrobot-agent ROLE: MESSAGE" and the usage to stderr
// and exits 2. Returns the exit code.
int exitForFlagError(std::string_view role, const Error& error, std::string_view usage);

} // namespace harborrobot::agent

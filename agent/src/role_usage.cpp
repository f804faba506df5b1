#include "role_usage.h"

#include <cstdio>

#include <fmt/format.h>

namespace harborrobot::agent {

int exitForFlagError(std::string_view role, const Error& error, std::string_view usage) {
  if (error.message().empty()) {
    fmt::print(stdout, "{}", usage);
    return 0;
  }
  fmt::print(stderr, "harborrobot-agent {}: {}\n{}", role, error.message(), usage);
  return 2;
}

} // namespace harborrobot::agent

// The failover role's flags: --config (required), --listen, --log-level and
// --in-cluster-dir, with the DR guide's single-dash spellings accepted too.
#pragma once

#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/logger.h"

namespace harborrobot::failover {

struct FailoverFlags {
  std::string config{};
  std::string listen = "0.0.0.0:8080";
  LogLevel level = LogLevel::kInfo;
  std::string inClusterDir{}; // default: kube::InClusterPaths' directory
};

// --help is an error without a message (the role prints its usage); an unknown
// flag, a bad --log-level or a missing --config is an error naming it.
[[nodiscard]] Result<FailoverFlags> parseFailoverFlags(const std::vector<std::string>& args);

} // namespace harborrobot::failover

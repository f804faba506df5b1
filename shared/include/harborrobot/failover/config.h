// The failover watchdog's config.yaml, with the DR guide's keys exactly:
// condition_check_script, start_script, stop_script, status_script,
// check_interval, failure_threshold, script_timeout.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot::failover {

struct FailoverConfig {
  std::string conditionCheckScript{};
  std::string startScript{};
  std::string stopScript{};
  std::string statusScript{};
  std::chrono::nanoseconds checkInterval{std::chrono::seconds(30)};
  int failureThreshold = 3;
  std::chrono::nanoseconds scriptTimeout{std::chrono::seconds(120)};
};

// Every key is required except the three numbers, which default to the values
// above. An unknown key is an error (a misspelt "failure_treshold" must not
// silently fall back to a default that stops a Harbor). Messages name the key,
// the value and what was expected.
[[nodiscard]] Result<FailoverConfig> parseFailoverConfig(std::string_view yaml);

} // namespace harborrobot::failover

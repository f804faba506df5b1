// Runs a script as a child process without a shell in between: no config value is
// ever interpolated into a command line. The child gets its own process group so
// a timeout kills it together with everything it started.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::process {

struct ScriptRun {
  int exitCode = -1;     // when it exited
  int signal = 0;        // when a signal ended it
  bool timedOut = false; // killed after the timeout
  std::string output{};  // stdout, bounded
  std::string errors{};  // stderr, bounded
  bool outputTruncated = false;
  std::chrono::milliseconds duration{0};

  bool succeeded() const { return !timedOut && signal == 0 && exitCode == 0; }
};

struct ScriptOptions {
  std::chrono::nanoseconds timeout{std::chrono::seconds(120)};
  std::size_t outputLimit = 64 * 1024;       // per stream; the rest is read and dropped
  std::chrono::milliseconds killGrace{2000}; // SIGTERM first, SIGKILL after this
  // Added to (or replacing in) the inherited environment, e.g. an exec credential
  // plugin's `env` and KUBERNETES_EXEC_INFO.
  std::vector<std::pair<std::string, std::string>> extraEnvironment{};
};

// How a script file is started: "#!" files that are executable run directly;
// anything else (a ConfigMap-mounted file without the execute bit, as in the DR
// guide's Deployment) runs as `/bin/bash <path>`.
std::vector<std::string> commandFor(const std::string& path);

// Runs `argv` (argv[0] a path) with the current environment. An error only when
// the process could not be started; a failing script is a ScriptRun.
[[nodiscard]] Result<ScriptRun> runCommand(const std::vector<std::string>& argv,
                                           const ScriptOptions& options);

// commandFor(path) then runCommand.
[[nodiscard]] Result<ScriptRun> runScript(const std::string& path, const ScriptOptions& options);

} // namespace harborrobot::process

// `kubectl harborrobot failover manifest`: prints the watchdog's manifests.
#pragma once

#include <CLI/CLI.hpp>

namespace harborrobot::cli {

// Adds the "failover" command group to `app`; `exitCode` receives the result.
void registerFailoverCommands(CLI::App& app, int& exitCode);

} // namespace harborrobot::cli

// What the hub and namespace roles do first, in the same way: their logger
// from --log-level, the in-cluster configuration, and the plugins. Each step
// says why it failed (on stderr for a flag, in the role's log otherwise) and
// returns nothing; the role then exits with the code the step names.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/kube/rest_config.h"
#include "harborrobot/observability/health_server.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/plugin/host.h"
#include "harborrobot/util/role_flags.h"

namespace harborrobot::agent {

// The value of an environment variable, or `fallback` when unset or empty.
std::string environment(const char* name, std::string fallback);

// The running binary (/proc/self/exe): plugins are found beside it.
std::filesystem::path executablePath();

// A role's flags and logger, or the exit code when either is wrong: flag
// errors as exitForFlagError says (--help is 0), a bad --log-level 2.
struct RoleStart {
  RoleFlags flags;
  std::unique_ptr<Logger> logger;
};
std::optional<RoleStart> startRole(std::string_view role, const std::vector<std::string>& args,
                                   const RoleFlagSet& set, std::string_view usage, int& exitCode);

// A logger for `role` at --log-level (default info). A level that is not one
// of debug, info, warn or error is printed to stderr: exit 2.
std::unique_ptr<Logger> roleLogger(std::string_view role, const RoleFlags& flags);

// The ServiceAccount's configuration (--in-cluster-dir), or the reason logged:
// exit 1.
std::optional<kube::RestConfig> clusterConfig(const RoleFlags& flags, const Logger& logger);

// Loads --plugin-dir (default: $HARBORROBOT_PLUGIN_PATH, else beside the
// binary), keeping the plugins of `kinds` (all when empty). False after the
// reason is logged: exit 1.
bool loadPlugins(plugin::Host& plugins, const RoleFlags& flags, const Logger& logger,
                 std::set<plugin::Kind> kinds = {});

// Health and metrics on --health-listen (default 0.0.0.0:8080): always live,
// ready once `synced` says the role's caches are. Nothing after the reason is
// logged: exit 1.
std::unique_ptr<HealthServer> startHealth(const RoleFlags& flags, const Logger& logger,
                                          const metrics::Registry& registry,
                                          std::function<bool()> synced);

} // namespace harborrobot::agent

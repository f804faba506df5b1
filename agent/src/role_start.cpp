#include "role_start.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "harborrobot/model/wire_names.h"
#include "role_usage.h"

namespace harborrobot::agent {

std::string environment(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::filesystem::path executablePath() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path("harborrobot-agent") : path;
}

std::optional<RoleStart> startRole(std::string_view role, const std::vector<std::string>& args,
                                   const RoleFlagSet& set, std::string_view usage, int& exitCode) {
  auto flags = RoleFlags::parse(args, set);
  if (!flags) {
    exitCode = exitForFlagError(role, flags.error(), usage);
    return std::nullopt;
  }
  auto logger = roleLogger(role, *flags);
  if (!logger) {
    exitCode = 2;
    return std::nullopt;
  }
  return RoleStart{std::move(*flags), std::move(logger)};
}

std::unique_ptr<Logger> roleLogger(std::string_view role, const RoleFlags& flags) {
  const auto level = parseLogLevel(flags.get("--log-level", "info"));
  if (!level) {
    fmt::print(stderr, "harborrobot-agent {}: {}\n", role, level.error().message());
    return nullptr;
  }
  return std::make_unique<Logger>(std::string(role), Logger::stderrSink(), *level);
}

std::optional<kube::RestConfig> clusterConfig(const RoleFlags& flags, const Logger& logger) {
  auto config = kube::inClusterConfig(
      {flags.get("--in-cluster-dir", kube::InClusterPaths{}.directory.string())},
      [](const char* name) { return std::getenv(name); });
  if (!config) {
    logger.error("no in-cluster configuration", {{"error", config.error().message()}});
    return std::nullopt;
  }
  return std::move(*config);
}

bool loadPlugins(plugin::Host& plugins, const RoleFlags& flags, const Logger& logger,
                 std::set<plugin::Kind> kinds) {
  const auto directory = flags.get(
      "--plugin-dir",
      plugin::defaultPluginDirectory(executablePath(), std::getenv("HARBORROBOT_PLUGIN_PATH"))
          .string());
  if (auto loaded = plugins.loadDirectory(directory, std::move(kinds)); !loaded) {
    logger.error("plugins", {{"directory", directory}, {"error", loaded.error().message()}});
    return false;
  }
  return true;
}

std::unique_ptr<HealthServer> startHealth(const RoleFlags& flags, const Logger& logger,
                                          const metrics::Registry& registry,
                                          std::function<bool()> synced) {
  auto health = HealthServer::start(
      flags.get("--health-listen", fmt::format("0.0.0.0:{}", wire::kHealthPort)),
      {.live = {},
       .ready = [synced = std::move(synced)]() -> Status {
         if (!synced()) {
           return makeError(ErrorCode::kUnavailable, "caches are not synced yet");
         }
         return ok();
       }},
      &registry);
  if (!health) {
    logger.error("health endpoints", {{"error", health.error().message()}});
    return nullptr;
  }
  return std::move(*health);
}

} // namespace harborrobot::agent

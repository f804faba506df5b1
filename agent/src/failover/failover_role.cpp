// Wiring of the failover role: flags, config, the core's CheckLoop (failover/check_loop.h)
// run on a schedule, metrics, health endpoints, Events and JSON logs.
#include "failover/failover_role.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "harborrobot/failover/check_loop.h"
#include "harborrobot/failover/config.h"
#include "harborrobot/failover/flags.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/observability/health_server.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/process/script_runner.h"
#include "harborrobot/util/go_duration.h"
#include "role_usage.h"
#include "shutdown_signal.h"

namespace harborrobot::agent {

namespace {

constexpr std::string_view kUsage =
    "usage: harborrobot-agent failover --config FILE [--listen ADDRESS:PORT] [--log-level "
    "debug|info|warn|error] [--in-cluster-dir DIR]\n"
    "  (the DR guide's -config FILE spelling is accepted too)\n";

// Events need the in-cluster credentials and the Pod's name (downward API);
// without them the watchdog runs as before and says so once.
struct EventReporting {
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<kube::EventRecorder> recorder;
  kube::ObjectReference pod;
};

EventReporting startEventReporting(const failover::FailoverFlags& flags, Logger& logger) {
  EventReporting reporting;
  const char* podName = std::getenv("POD_NAME");
  const char* podNamespace = std::getenv("POD_NAMESPACE");
  if (podName == nullptr || podNamespace == nullptr ||
      std::getenv("KUBERNETES_SERVICE_HOST") == nullptr) {
    logger.info("events disabled: POD_NAME, POD_NAMESPACE and KUBERNETES_SERVICE_HOST are needed");
    return reporting;
  }
  auto config = kube::inClusterConfig({flags.inClusterDir},
                                      [](const char* name) { return std::getenv(name); });
  if (!config) {
    logger.warn("events disabled", {{"error", config.error().message()}});
    return reporting;
  }
  const char* podUid = std::getenv("POD_UID");
  reporting.pod = {.apiVersion = "v1",
                   .kind = "Pod",
                   .ns = podNamespace,
                   .name = podName,
                   .uid = podUid == nullptr ? "" : podUid};
  reporting.client = std::make_unique<kube::Client>(std::move(*config));
  reporting.recorder =
      std::make_unique<kube::EventRecorder>(*reporting.client, "harborrobot-failover", podName);
  return reporting;
}

} // namespace

int runFailoverRole(const std::vector<std::string>& args) {
  auto flags = failover::parseFailoverFlags(args);
  if (!flags) {
    return exitForFlagError("failover", flags.error(), kUsage);
  }
  // Signals are blocked before any thread starts, so all threads inherit the mask.
  ShutdownSignal shutdown;
  Logger logger("failover", Logger::stderrSink(), flags->level);

  std::ifstream in(flags->config);
  if (!in) {
    logger.error("cannot read the config file", {{"path", flags->config}});
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto config = failover::parseFailoverConfig(text.str());
  if (!config) {
    logger.error("invalid config", {{"path", flags->config}, {"error", config.error().message()}});
    return 1;
  }

  metrics::Registry registry;
  auto instruments = failover::registerFailoverInstruments(registry);
  if (!instruments) {
    logger.error("metrics", {{"error", instruments.error().message()}});
    return 1;
  }
  std::atomic<std::int64_t> lastCheckEnded{0};
  const auto stale = failover::stalledAfter(*config);
  auto health = HealthServer::start(
      flags->listen,
      {.live =
           [&] {
             return failover::checkLoopLive(
                 lastCheckEnded.load(), std::chrono::steady_clock::now().time_since_epoch().count(),
                 stale);
           },
       .ready = [&] { return failover::checkLoopReady(lastCheckEnded.load()); }},
      &registry);
  if (!health) {
    logger.error("cannot serve health endpoints", {{"error", health.error().message()}});
    return 1;
  }
  logger.info("watchdog started", {{"config", flags->config},
                                   {"check_interval", formatGoDuration(config->checkInterval)},
                                   {"failure_threshold", config->failureThreshold},
                                   {"script_timeout", formatGoDuration(config->scriptTimeout)},
                                   {"listen_port", (*health)->port()}});

  EventReporting reporting = startEventReporting(*flags, logger);
  failover::EventSink events = [&](kube::EventType type, std::string_view reason,
                                   std::string_view message) {
    if (!reporting.recorder)
      return;
    if (auto recorded = reporting.recorder->record(reporting.pod, type, reason, message);
        !recorded) {
      logger.warn("event not recorded",
                  {{"reason", reason}, {"error", recorded.error().message()}});
    }
  };
  failover::CheckLoop loop(*config, logger, *instruments, events, process::runScript);
  while (!shutdown.requested()) {
    // A script that is running when SIGTERM arrives finishes (or times out) first.
    loop.check();
    loop.markChecked();
    lastCheckEnded = std::chrono::steady_clock::now().time_since_epoch().count();
    shutdown.waitFor(config->checkInterval);
  }
  logger.info("watchdog stopped");
  return 0;
}

} // namespace harborrobot::agent

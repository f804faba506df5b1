// Wiring of the failover role: flags, config, the check loop around the core's
// Watchdog and script runner, metrics, health endpoints and JSON logs.
#include "failover/failover_role.h"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "harborrobot/failover/config.h"
#include "harborrobot/failover/watchdog.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/observability/health_server.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/observability/redact.h"
#include "harborrobot/process/script_runner.h"
#include "harborrobot/util/go_duration.h"
#include "harborrobot/util/role_flags.h"
#include "role_usage.h"
#include "shutdown_signal.h"

namespace harborrobot::agent {

namespace {

using failover::Action;

struct Flags {
  std::string config;
  std::string listen = "0.0.0.0:8080";
  LogLevel level = LogLevel::kInfo;
  std::string inClusterDir = kube::InClusterPaths{}.directory.string();
};

constexpr std::string_view kUsage =
    "usage: harborrobot-agent failover --config FILE [--listen ADDRESS:PORT] [--log-level "
    "debug|info|warn|error] [--in-cluster-dir DIR]\n"
    "  (the DR guide's -config FILE spelling is accepted too)\n";

Result<Flags> parseFlags(const std::vector<std::string>& args) {
  auto parsed =
      RoleFlags::parse(args, {.known = {"--config", "--listen", "--in-cluster-dir", "--log-level"},
                              .aliases = {{"-config", "--config"}, {"-listen", "--listen"}}});
  if (!parsed) {
    return makeError(parsed.error());
  }
  Flags flags;
  flags.config = parsed->get("--config", "");
  flags.listen = parsed->get("--listen", flags.listen);
  flags.inClusterDir = parsed->get("--in-cluster-dir", flags.inClusterDir);
  const auto level = parseLogLevel(parsed->get("--log-level", "info"));
  if (!level) {
    return makeError(level.error());
  }
  flags.level = *level;
  if (flags.config.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "--config is required");
  }
  return flags;
}

struct Instruments {
  metrics::Counter* checks = nullptr;
  metrics::Counter* decisions = nullptr;
  metrics::Counter* scriptRuns = nullptr;
  metrics::Histogram* scriptSeconds = nullptr;
  metrics::Gauge* consecutiveStops = nullptr;
  metrics::Gauge* lastCheck = nullptr;

  static Result<Instruments> registerIn(metrics::Registry& registry) {
    Instruments instruments;
    auto checks =
        registry.counter("harborrobot_failover_checks_total",
                         "Condition checks run, by what the condition script said.", {"condition"});
    auto decisions = registry.counter("harborrobot_failover_decisions_total",
                                      "Decisions taken after a check.", {"decision"});
    auto runs = registry.counter("harborrobot_failover_script_runs_total",
                                 "Script runs by script and result.", {"script", "result"});
    auto seconds =
        registry.histogram("harborrobot_failover_script_duration_seconds", "Script run time.",
                           {0.1, 0.5, 1, 5, 15, 60, 120, 300}, {"script"});
    auto stops = registry.gauge("harborrobot_failover_consecutive_stops",
                                "Consecutive checks that said stop.");
    auto last = registry.gauge("harborrobot_failover_last_check_timestamp_seconds",
                               "When the last check finished (Unix time).");
    if (!checks || !decisions || !runs || !seconds || !stops || !last) {
      return makeError(ErrorCode::kInternal, "registering failover metrics");
    }
    instruments = {*checks, *decisions, *runs, *seconds, *stops, *last};
    return instruments;
  }
};

// Reports what the watchdog did as Events on its own Pod, when it runs in a
// cluster; a no-op elsewhere. Recording is best effort and never blocks a check.
using EventSink =
    std::function<void(kube::EventType, std::string_view reason, std::string_view message)>;

class FailoverLoop {
public:
  FailoverLoop(failover::FailoverConfig config, Logger logger, Instruments instruments,
               EventSink events)
      : config_(std::move(config)), logger_(std::move(logger)), instruments_(instruments),
        events_(std::move(events)), watchdog_(config_.failureThreshold) {}

  // One check: condition, then (maybe) status, then (maybe) start or stop.
  void check() {
    auto condition = run("condition", config_.conditionCheckScript);
    const auto outcome = failover::conditionFromOutput(condition && condition->succeeded(),
                                                       condition ? condition->output : "");
    instruments_.checks->inc({std::string(failover::conditionName(outcome))});
    if (outcome == failover::Condition::kInvalid) {
      events_(kube::EventType::kWarning, "ConditionCheckFailed",
              condition && !condition->succeeded()
                  ? fmt::format("the condition script {} failed; no action taken",
                                config_.conditionCheckScript)
                  : fmt::format("the condition script {} printed neither start nor stop; no "
                                "action taken",
                                config_.conditionCheckScript));
    }
    Action next = watchdog_.afterCondition(outcome);
    instruments_.consecutiveStops->set(watchdog_.consecutiveStops());
    if (next == Action::kNone) {
      decide(outcome == failover::Condition::kStop      ? "stop-below-threshold"
             : outcome == failover::Condition::kInvalid ? "no-action-invalid-condition"
                                                        : "none",
             {{"consecutive_stops", watchdog_.consecutiveStops()},
              {"threshold", config_.failureThreshold}});
      return;
    }
    auto status = run("status", config_.statusScript);
    const auto state =
        failover::statusFromOutput(status && status->succeeded(), status ? status->output : "");
    next = watchdog_.afterStatus(state);
    if (next == Action::kNone) {
      decide(outcome == failover::Condition::kStart ? "skip-start-already-started"
                                                    : "skip-stop-already-stopped",
             {{"status", std::string(failover::statusName(state))}});
      return;
    }
    const bool starting = next == Action::kRunStart;
    decide(starting ? "start" : "stop", {{"status", std::string(failover::statusName(state))}});
    events_(kube::EventType::kNormal, starting ? "StartingInstance" : "StoppingInstance",
            fmt::format("the condition script said {} and the status was {}; running {}",
                        starting ? "start" : "stop", failover::statusName(state),
                        starting ? config_.startScript : config_.stopScript));
    auto ran =
        run(starting ? "start" : "stop", starting ? config_.startScript : config_.stopScript);
    const std::string_view script = starting ? "Start" : "Stop";
    if (!ran || !ran->succeeded()) {
      events_(kube::EventType::kWarning,
              fmt::format("{}Script{}", script, ran && ran->timedOut ? "TimedOut" : "Failed"),
              fmt::format("{} {}", starting ? config_.startScript : config_.stopScript,
                          !ran            ? "could not run"
                          : ran->timedOut ? "was killed at the script timeout"
                                          : fmt::format("exited {}", ran->exitCode)));
    } else {
      events_(kube::EventType::kNormal, fmt::format("{}ScriptSucceeded", script),
              fmt::format("{} finished", starting ? config_.startScript : config_.stopScript));
    }
  }

  void markChecked() {
    instruments_.lastCheck->set(
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()));
  }

private:
  void decide(std::string_view decision, std::initializer_list<LogField> fields) {
    instruments_.decisions->inc({std::string(decision)});
    Logger scoped = logger_.with(fields);
    scoped.info("decision", {{"decision", decision}});
  }

  Result<process::ScriptRun> run(std::string_view name, const std::string& path) {
    auto result = process::runScript(path, {.timeout = config_.scriptTimeout});
    std::string outcome;
    if (!result) {
      outcome = "error";
      logger_.error("script could not run",
                    {{"script", name}, {"path", path}, {"error", result.error().message()}});
    } else {
      outcome = result->timedOut ? "timeout" : result->succeeded() ? "success" : "failure";
      instruments_.scriptSeconds->observe(std::chrono::duration<double>(result->duration).count(),
                                          {std::string(name)});
      // Script output is foreign text: scrubbed and bounded before it is logged.
      logger_.info("script finished",
                   {{"script", name},
                    {"path", path},
                    {"result", outcome},
                    {"exit_code", result->exitCode},
                    {"seconds", std::chrono::duration<double>(result->duration).count()},
                    {"stdout", redactSecrets(result->output.substr(0, 512))},
                    {"stderr", redactSecrets(result->errors.substr(0, 512))}});
    }
    instruments_.scriptRuns->inc({std::string(name), outcome});
    return result;
  }

  failover::FailoverConfig config_;
  Logger logger_;
  Instruments instruments_;
  EventSink events_;
  failover::Watchdog watchdog_;
};

// Events need the in-cluster credentials and the Pod's name (downward API);
// without them the watchdog runs as before and says so once.
struct EventReporting {
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<kube::EventRecorder> recorder;
  kube::ObjectReference pod;
};

EventReporting startEventReporting(const Flags& flags, Logger& logger) {
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
  auto flags = parseFlags(args);
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
  auto instruments = Instruments::registerIn(registry);
  if (!instruments) {
    logger.error("metrics", {{"error", instruments.error().message()}});
    return 1;
  }
  std::atomic<std::int64_t> lastCheckEnded{0};
  const auto stale = config->checkInterval * 3 + config->scriptTimeout * 4;
  auto health = HealthServer::start(
      flags->listen,
      {.live = [&]() -> Status {
         const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
         if (lastCheckEnded.load() != 0 &&
             std::chrono::nanoseconds(now - lastCheckEnded.load()) > stale) {
           return makeError(ErrorCode::kUnavailable, "the check loop has stalled");
         }
         return ok();
       },
       .ready = [&]() -> Status {
         if (lastCheckEnded.load() == 0) {
           return makeError(ErrorCode::kUnavailable, "no check has finished yet");
         }
         return ok();
       }},
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
  EventSink events = [&](kube::EventType type, std::string_view reason, std::string_view message) {
    if (!reporting.recorder)
      return;
    if (auto recorded = reporting.recorder->record(reporting.pod, type, reason, message);
        !recorded) {
      logger.warn("event not recorded",
                  {{"reason", reason}, {"error", recorded.error().message()}});
    }
  };
  FailoverLoop loop(*config, logger, *instruments, events);
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

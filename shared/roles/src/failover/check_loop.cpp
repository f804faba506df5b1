// The failover check: the DR guide's order of scripts around the Watchdog's
// decisions, and what each outcome is called in logs, metrics and Events.
#include "harborrobot/failover/check_loop.h"

#include <fmt/format.h>

#include "harborrobot/observability/redact.h"

namespace harborrobot::failover {

Result<FailoverInstruments> registerFailoverInstruments(metrics::Registry& registry) {
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
  return FailoverInstruments{*checks, *decisions, *runs, *seconds, *stops, *last};
}

CheckLoop::CheckLoop(FailoverConfig config, Logger logger, FailoverInstruments instruments,
                     EventSink events, ScriptRunner scripts, Clock clock)
    : config_(std::move(config)), logger_(std::move(logger)), instruments_(instruments),
      events_(std::move(events)), scripts_(std::move(scripts)),
      clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
      watchdog_(config_.failureThreshold) {}

void CheckLoop::check() {
  auto condition = run("condition", config_.conditionCheckScript);
  const auto outcome =
      conditionFromOutput(condition && condition->succeeded(), condition ? condition->output : "");
  instruments_.checks->inc({std::string(conditionName(outcome))});
  if (outcome == Condition::kInvalid) {
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
    decide(outcome == Condition::kStop      ? "stop-below-threshold"
           : outcome == Condition::kInvalid ? "no-action-invalid-condition"
                                            : "none",
           {{"consecutive_stops", watchdog_.consecutiveStops()},
            {"threshold", config_.failureThreshold}});
    return;
  }
  auto status = run("status", config_.statusScript);
  const auto state = statusFromOutput(status && status->succeeded(), status ? status->output : "");
  next = watchdog_.afterStatus(state);
  if (next == Action::kNone) {
    decide(outcome == Condition::kStart ? "skip-start-already-started"
                                        : "skip-stop-already-stopped",
           {{"status", std::string(statusName(state))}});
    return;
  }
  const bool starting = next == Action::kRunStart;
  decide(starting ? "start" : "stop", {{"status", std::string(statusName(state))}});
  events_(kube::EventType::kNormal, starting ? "StartingInstance" : "StoppingInstance",
          fmt::format("the condition script said {} and the status was {}; running {}",
                      starting ? "start" : "stop", statusName(state),
                      starting ? config_.startScript : config_.stopScript));
  auto ran = run(starting ? "start" : "stop", starting ? config_.startScript : config_.stopScript);
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

void CheckLoop::markChecked() {
  instruments_.lastCheck->set(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count()));
}

void CheckLoop::decide(std::string_view decision, std::initializer_list<LogField> fields) {
  instruments_.decisions->inc({std::string(decision)});
  Logger scoped = logger_.with(fields);
  scoped.info("decision", {{"decision", decision}});
}

Result<process::ScriptRun> CheckLoop::run(std::string_view name, const std::string& path) {
  auto result = scripts_(path, {.timeout = config_.scriptTimeout});
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

std::chrono::nanoseconds stalledAfter(const FailoverConfig& config) {
  return config.checkInterval * 3 + config.scriptTimeout * 4;
}

::harborrobot::Status checkLoopLive(std::int64_t lastCheckEndedNs, std::int64_t nowNs,
                                    std::chrono::nanoseconds stale) {
  if (lastCheckEndedNs != 0 && std::chrono::nanoseconds(nowNs - lastCheckEndedNs) > stale) {
    return makeError(ErrorCode::kUnavailable, "the check loop has stalled");
  }
  return ok();
}

::harborrobot::Status checkLoopReady(std::int64_t lastCheckEndedNs) {
  if (lastCheckEndedNs == 0) {
    return makeError(ErrorCode::kUnavailable, "no check has finished yet");
  }
  return ok();
}

} // namespace harborrobot::failover

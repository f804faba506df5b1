// One check of the failover watchdog as the DR guide runs it: the condition
// script, then (maybe) the status script, then (maybe) the start or stop
// script, with the decision logged, counted and told as an Event. The scripts,
// the Events and the clock are injected, so every path is tested without a
// process (tests/unit/failover/check_loop_test.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/failover/config.h"
#include "harborrobot/failover/watchdog.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/process/script_runner.h"

namespace harborrobot::failover {

struct FailoverInstruments {
  metrics::Counter* checks = nullptr;          // {condition}
  metrics::Counter* decisions = nullptr;       // {decision}
  metrics::Counter* scriptRuns = nullptr;      // {script, result}
  metrics::Histogram* scriptSeconds = nullptr; // {script}
  metrics::Gauge* consecutiveStops = nullptr;
  metrics::Gauge* lastCheck = nullptr; // Unix time
};

[[nodiscard]] Result<FailoverInstruments> registerFailoverInstruments(metrics::Registry& registry);

// What the watchdog did, for Events on its own Pod (best effort; a no-op
// outside a cluster).
using EventSink =
    std::function<void(kube::EventType, std::string_view reason, std::string_view message)>;

// Runs a script (process::runScript in the role).
using ScriptRunner = std::function<Result<process::ScriptRun>(const std::string& path,
                                                              const process::ScriptOptions&)>;

class CheckLoop {
public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  CheckLoop(FailoverConfig config, Logger logger, FailoverInstruments instruments, EventSink events,
            ScriptRunner scripts, Clock clock = {});

  // One check: condition, then (maybe) status, then (maybe) start or stop.
  void check();
  // Sets the last-check gauge to now.
  void markChecked();

private:
  void decide(std::string_view decision, std::initializer_list<LogField> fields);
  Result<process::ScriptRun> run(std::string_view name, const std::string& path);

  FailoverConfig config_;
  Logger logger_;
  FailoverInstruments instruments_;
  EventSink events_;
  ScriptRunner scripts_;
  Clock clock_;
  Watchdog watchdog_;
};

// How long without a finished check before the loop counts as stalled: three
// intervals and four script timeouts.
std::chrono::nanoseconds stalledAfter(const FailoverConfig& config);

// /healthz: fails once a check has finished and the last one ended more than
// `stale` before `now` (both since the same epoch; 0 = none finished yet).
[[nodiscard]] ::harborrobot::Status checkLoopLive(std::int64_t lastCheckEndedNs, std::int64_t nowNs,
                                                  std::chrono::nanoseconds stale);
// /readyz: ready once a check has finished.
[[nodiscard]] ::harborrobot::Status checkLoopReady(std::int64_t lastCheckEndedNs);

} // namespace harborrobot::failover

// One failover check with scripted scripts: which scripts run, what is
// decided, counted and told as an Event; and the loop's health.
#include "harborrobot/failover/check_loop.h"

#include <map>
#include <vector>

#include <gtest/gtest.h>

namespace harborrobot::failover {
namespace {

struct Told {
  kube::EventType type;
  std::string reason;
  std::string message;
};

struct Fixture {
  explicit Fixture(int threshold = 1) {
    config.conditionCheckScript = "/s/condition.sh";
    config.statusScript = "/s/status.sh";
    config.startScript = "/s/start.sh";
    config.stopScript = "/s/stop.sh";
    config.failureThreshold = threshold;
    instruments = *registerFailoverInstruments(registry);
  }

  CheckLoop loop() {
    return CheckLoop(
        config, Logger("failover", [this](std::string_view line) { logged.emplace_back(line); }),
        instruments,
        [this](kube::EventType type, std::string_view reason, std::string_view message) {
          told.push_back({type, std::string(reason), std::string(message)});
        },
        [this](const std::string& path,
               const process::ScriptOptions& options) -> Result<process::ScriptRun> {
          ran.push_back(path);
          EXPECT_EQ(options.timeout, config.scriptTimeout);
          const auto found = scripts.find(path);
          if (found == scripts.end()) {
            return makeError(ErrorCode::kUnavailable, "cannot start " + path);
          }
          return found->second;
        },
        [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)); });
  }

  void prints(const std::string& path, std::string output, int exitCode = 0) {
    process::ScriptRun run;
    run.exitCode = exitCode;
    run.output = std::move(output);
    scripts[path] = run;
  }

  double decisions(const std::string& decision) const {
    return instruments.decisions->value({decision});
  }

  FailoverConfig config;
  metrics::Registry registry;
  FailoverInstruments instruments;
  std::map<std::string, process::ScriptRun> scripts;
  std::vector<std::string> ran;
  std::vector<Told> told;
  std::vector<std::string> logged;
};

TEST(CheckLoop, StartRunsTheStartScriptWhenTheInstanceIsStopped) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "start\n");
  fixture.prints("/s/status.sh", "stopped\n");
  fixture.prints("/s/start.sh", "");
  fixture.loop().check();
  EXPECT_EQ(fixture.ran,
            (std::vector<std::string>{"/s/condition.sh", "/s/status.sh", "/s/start.sh"}));
  EXPECT_EQ(fixture.decisions("start"), 1);
  ASSERT_EQ(fixture.told.size(), 2u);
  EXPECT_EQ(fixture.told[0].reason, "StartingInstance");
  EXPECT_EQ(fixture.told[0].message,
            "the condition script said start and the status was stopped; running /s/start.sh");
  EXPECT_EQ(fixture.told[1].reason, "StartScriptSucceeded");
  EXPECT_EQ(fixture.told[1].message, "/s/start.sh finished");
  EXPECT_EQ(fixture.instruments.scriptRuns->value({"start", "success"}), 1);
}

TEST(CheckLoop, AStartedInstanceIsNotStartedAgain) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "start");
  fixture.prints("/s/status.sh", "started");
  fixture.loop().check();
  EXPECT_EQ(fixture.ran, (std::vector<std::string>{"/s/condition.sh", "/s/status.sh"}));
  EXPECT_EQ(fixture.decisions("skip-start-already-started"), 1);
  EXPECT_TRUE(fixture.told.empty());
}

TEST(CheckLoop, StopsBelowTheThresholdDoNothing) {
  Fixture fixture(3);
  fixture.prints("/s/condition.sh", "stop");
  auto loop = fixture.loop();
  loop.check();
  loop.check();
  EXPECT_EQ(fixture.ran, (std::vector<std::string>{"/s/condition.sh", "/s/condition.sh"}));
  EXPECT_EQ(fixture.decisions("stop-below-threshold"), 2);
  EXPECT_EQ(fixture.instruments.consecutiveStops->value(), 2);
}

TEST(CheckLoop, AFailingStopScriptIsAWarning) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "stop");
  fixture.prints("/s/status.sh", "started");
  fixture.prints("/s/stop.sh", "", 3);
  fixture.loop().check();
  ASSERT_EQ(fixture.told.size(), 2u);
  EXPECT_EQ(fixture.told[1].type, kube::EventType::kWarning);
  EXPECT_EQ(fixture.told[1].reason, "StopScriptFailed");
  EXPECT_EQ(fixture.told[1].message, "/s/stop.sh exited 3");
  EXPECT_EQ(fixture.instruments.scriptRuns->value({"stop", "failure"}), 1);
}

TEST(CheckLoop, AStartScriptThatCannotRunIsAWarning) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "start");
  fixture.prints("/s/status.sh", "stopped");
  fixture.loop().check();
  ASSERT_EQ(fixture.told.size(), 2u);
  EXPECT_EQ(fixture.told[1].reason, "StartScriptFailed");
  EXPECT_EQ(fixture.told[1].message, "/s/start.sh could not run");
  EXPECT_EQ(fixture.instruments.scriptRuns->value({"start", "error"}), 1);
}

TEST(CheckLoop, AnInvalidConditionTakesNoActionAndSaysWhy) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "maybe");
  fixture.loop().check();
  EXPECT_EQ(fixture.decisions("no-action-invalid-condition"), 1);
  ASSERT_EQ(fixture.told.size(), 1u);
  EXPECT_EQ(fixture.told[0].reason, "ConditionCheckFailed");
  EXPECT_EQ(fixture.told[0].message,
            "the condition script /s/condition.sh printed neither start nor stop; no action taken");

  Fixture failing;
  failing.prints("/s/condition.sh", "start", 1);
  failing.loop().check();
  ASSERT_EQ(failing.told.size(), 1u);
  EXPECT_EQ(failing.told[0].message,
            "the condition script /s/condition.sh failed; no action taken");
}

TEST(CheckLoop, ScriptOutputIsLoggedRedacted) {
  Fixture fixture;
  fixture.prints("/s/condition.sh", "stop password=hunter2");
  fixture.loop().check();
  bool found = false;
  for (const auto& line : fixture.logged) {
    EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
    found = found || line.find("script finished") != std::string::npos;
  }
  EXPECT_TRUE(found);
}

TEST(CheckLoop, MarkCheckedSetsTheLastCheckTime) {
  Fixture fixture;
  fixture.loop().markChecked();
  EXPECT_EQ(fixture.instruments.lastCheck->value(), 1700000000);
}

TEST(CheckLoopHealth, StalledAfterThreeIntervalsAndFourScriptTimeouts) {
  FailoverConfig config;
  config.checkInterval = std::chrono::seconds(30);
  config.scriptTimeout = std::chrono::seconds(120);
  EXPECT_EQ(stalledAfter(config), std::chrono::seconds(570));
}

TEST(CheckLoopHealth, LiveUntilTheLastCheckIsStale) {
  const auto stale = std::chrono::nanoseconds(100);
  EXPECT_TRUE(checkLoopLive(0, 1000000, stale));
  EXPECT_TRUE(checkLoopLive(1000, 1100, stale));
  const auto stalled = checkLoopLive(1000, 1101, stale);
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(stalled.error().message(), "the check loop has stalled");
}

TEST(CheckLoopHealth, ReadyAfterTheFirstCheck) {
  const auto notYet = checkLoopReady(0);
  ASSERT_FALSE(notYet);
  EXPECT_EQ(notYet.error().message(), "no check has finished yet");
  EXPECT_TRUE(checkLoopReady(42));
}

} // namespace
} // namespace harborrobot::failover

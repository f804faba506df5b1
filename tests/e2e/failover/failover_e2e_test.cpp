// The failover role end to end: the real harborrobot-agent binary runs real
// scripts; the tests steer them through files and watch their side effects, the
// agent's /metrics and its exit, always waiting on a condition with a deadline.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/https_client.h"

extern char** environ;

namespace harborrobot {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int lineCount(const fs::path& path) {
  const std::string text = readFile(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::yield();
    ::usleep(20'000);
  }
  return condition();
}

class FailoverE2E : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "harborrobot-failover-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // Scripts in the seed's style: no shebang, not executable, run with bash. The
    // test steers them through files: "condition" holds what check.sh prints and
    // "status" what status.sh prints; every run appends to a log.
    script("check.sh", "set -euo pipefail\necho run >> '" + path("checks.log") + "'\ncat '" +
                           path("condition") + "'\nexit \"$(cat '" + path("condition-exit") +
                           "' 2>/dev/null || echo 0)\"\n");
    script("status.sh", "set -euo pipefail\necho run >> '" + path("status.log") + "'\ncat '" +
                            path("status") + "'\n");
    script("start.sh", "set -euo pipefail\nwc -l < '" + path("checks.log") + "' >> '" +
                           path("start.log") + "'\n");
    script("stop.sh", "set -euo pipefail\nwc -l < '" + path("checks.log") + "' >> '" +
                          path("stop.log") + "'\n");
    set("condition", "start\n");
    set("status", "stopped\n");
  }

  void TearDown() override {
    stopAgent();
    fs::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void set(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / (name + ".new")) << text;
    fs::rename(dir_ / (name + ".new"), dir_ / name);
  }
  void script(const std::string& name, const std::string& body) const {
    std::ofstream(dir_ / name) << body;
    ::chmod((dir_ / name).c_str(), 0644);
  }
  void config(int threshold, const std::string& timeout = "5s",
              const std::string& check = "check.sh") {
    set("config.yaml",
        "condition_check_script: " + path(check) + "\nstart_script: " + path("start.sh") +
            "\nstop_script: " + path("stop.sh") + "\nstatus_script: " + path("status.sh") +
            "\ncheck_interval: 50ms\nfailure_threshold: " + std::to_string(threshold) +
            "\nscript_timeout: " + timeout + "\n");
  }

  void startAgent(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {HARBORROBOT_AGENT_BINARY, "failover", "-config",
                                     path("config.yaml"),      "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, path("agent.log").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  // The port the agent logged when it started.
  int port() {
    int found = 0;
    eventually([&] {
      std::istringstream lines(readFile(path("agent.log")));
      std::string line;
      while (std::getline(lines, line)) {
        const auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_object() && json.contains("listen_port")) {
          found = json["listen_port"].get<int>();
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::string metrics() {
    http::HttpsClient client({});
    auto response = client.send({.url = "http://127.0.0.1:" + std::to_string(port()) + "/metrics"});
    return response ? response->body : "";
  }

  int stopAgent() {
    if (pid_ <= 0) {
      return -1;
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  pid_t pid_ = -1;
};

TEST_F(FailoverE2E, StartRunsTheStartScriptWhenStatusIsNotStarted) {
  config(3);
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("start.log")) >= 1; }));
  // Once Harbor reports started, later checks skip the start script.
  set("status", "started\n");
  const int startsBefore = lineCount(path("start.log"));
  const int checksBefore = lineCount(path("checks.log"));
  ASSERT_TRUE(eventually([&] { return lineCount(path("checks.log")) >= checksBefore + 5; }));
  EXPECT_LE(lineCount(path("start.log")), startsBefore + 1) << "at most one check was in flight";
  EXPECT_FALSE(fs::exists(path("stop.log")));
  EXPECT_NE(metrics().find(
                "harborrobot_failover_decisions_total{decision=\"skip-start-already-started\"}"),
            std::string::npos);
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, StopRunsOnlyAtTheThresholdthCheck) {
  set("condition", "stop\n");
  set("status", "started\n");
  config(3);
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("stop.log")) >= 1; }));
  EXPECT_EQ(readFile(path("stop.log")).substr(0, 2), "3\n")
      << "checks 1 and 2 said stop and did nothing; the 3rd ran the stop script";
  EXPECT_EQ(lineCount(path("status.log")) >= 1, true);
  EXPECT_FALSE(fs::exists(path("start.log")));
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, StoppedStatusShortCircuitsTheStopScript) {
  set("condition", "stop\n");
  set("status", "stopped\n");
  config(1);
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("status.log")) >= 3; }));
  EXPECT_FALSE(fs::exists(path("stop.log")));
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, AFailingConditionScriptRunsNothingEvenIfItPrintedStop) {
  set("condition", "stop\n");
  set("condition-exit", "1\n");
  config(1);
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("checks.log")) >= 5; }));
  EXPECT_FALSE(fs::exists(path("status.log")));
  EXPECT_FALSE(fs::exists(path("stop.log")));
  EXPECT_FALSE(fs::exists(path("start.log")));
  EXPECT_NE(metrics().find(
                "harborrobot_failover_script_runs_total{result=\"failure\",script=\"condition\"}"),
            std::string::npos);
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, GarbageConditionOutputRunsNothing) {
  set("condition", "please stop now\n");
  config(1);
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("checks.log")) >= 5; }));
  EXPECT_FALSE(fs::exists(path("status.log")));
  EXPECT_FALSE(fs::exists(path("stop.log")));
  EXPECT_FALSE(fs::exists(path("start.log")));
  EXPECT_NE(metrics().find("harborrobot_failover_checks_total{condition=\"invalid\"}"),
            std::string::npos);
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, AHangingScriptIsKilledAtTheTimeoutWithItsChildren) {
  script("hang.sh", "sleep 300 &\necho $! >> '" + path("children") + "'\nwait\n");
  config(1, "300ms", "hang.sh");
  startAgent();
  ASSERT_TRUE(eventually([&] { return lineCount(path("children")) >= 2; }));
  std::istringstream children(readFile(path("children")));
  pid_t first = 0;
  children >> first;
  ASSERT_GT(first, 0);
  EXPECT_TRUE(eventually([&] { return ::kill(first, 0) != 0; }))
      << "the first run's child " << first << " outlived its script's timeout";
  EXPECT_NE(metrics().find(
                "harborrobot_failover_script_runs_total{result=\"timeout\",script=\"condition\"}"),
            std::string::npos);
  EXPECT_EQ(stopAgent(), 0);
}

TEST_F(FailoverE2E, SigtermWaitsForTheRunningScriptToFinish) {
  script("slow.sh", "echo began >> '" + path("slow.log") + "'\nfor i in $(seq 1 500); do [ -e '" +
                        path("release") + "' ] && break; sleep 0.02; done\necho finished >> '" +
                        path("slow.log") + "'\necho start\n");
  config(1, "30s", "slow.sh");
  startAgent();
  ASSERT_TRUE(
      eventually([&] { return readFile(path("slow.log")).find("began") != std::string::npos; }));
  ::kill(pid_, SIGTERM);
  set("release", "now\n");
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(readFile(path("slow.log")).find("finished"), std::string::npos)
      << "the agent exited before its script finished";
}

TEST_F(FailoverE2E, AnInvalidConfigExitsWithAMessageNamingTheKey) {
  set("config.yaml", "condition_check_script: /c\nstart_script: /s\nstop_script: /t\n"
                     "status_script: /u\ncheck_interval: often\n");
  startAgent();
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const auto line = nlohmann::json::parse(
      readFile(path("agent.log")).substr(0, readFile(path("agent.log")).find('\n')));
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(
      line["error"],
      R"(check_interval: "often" is not a duration (expected a Go duration such as 30s or 2m))");
}

} // namespace
} // namespace harborrobot

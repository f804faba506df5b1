// The script runner with real scripts: output, exit codes, the bash fallback,
// bounded output, and a timeout that kills the script's children too.
#include "harborrobot/process/script_runner.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace harborrobot::process {
namespace {

class ScriptRunnerTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "harborrobot-scripts-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string script(const std::string& name, const std::string& body, bool executable) {
    const auto path = dir_ / name;
    std::ofstream(path) << body;
    ::chmod(path.c_str(), executable ? 0755 : 0644);
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ScriptRunnerTest, CapturesOutputAndExitCode) {
  const auto path = script("check.sh", "#!/bin/sh\necho start\necho warn >&2\nexit 3\n", true);
  auto run = runScript(path, {});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->output, "start\n");
  EXPECT_EQ(run->errors, "warn\n");
  EXPECT_EQ(run->exitCode, 3);
  EXPECT_FALSE(run->succeeded());
}

TEST_F(ScriptRunnerTest, ScriptsWithoutShebangOrExecuteBitRunWithBash) {
  // As mounted from the seed's ConfigMap: mode 0644, starting with "set -euo pipefail".
  const auto path =
      script("status.sh", "set -euo pipefail\n[[ 1 -eq 1 ]] && echo started\n", false);
  EXPECT_EQ(commandFor(path), (std::vector<std::string>{"/bin/bash", path}));
  auto run = runScript(path, {});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->succeeded());
  EXPECT_EQ(run->output, "started\n");
}

TEST_F(ScriptRunnerTest, ThePathIsNeverInterpretedByAShell) {
  const auto path = script("a;touch injected.sh", "echo safe\n", false);
  auto run = runScript(path, {});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->output, "safe\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "injected.sh"));
}

TEST_F(ScriptRunnerTest, EnvironmentIsPassedThrough) {
  ::setenv("HARBORROBOT_TEST_HARBOR_DOMAIN", "harbor.example.com", 1);
  const auto path = script("env.sh", "echo \"$HARBORROBOT_TEST_HARBOR_DOMAIN\"\n", false);
  auto run = runScript(path, {});
  ::unsetenv("HARBORROBOT_TEST_HARBOR_DOMAIN");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->output, "harbor.example.com\n");
}

TEST_F(ScriptRunnerTest, OutputIsBoundedButTheScriptStillFinishes) {
  const auto path = script("loud.sh", "head -c 1000000 /dev/zero | tr '\\0' x\necho\n", false);
  auto run = runScript(path, {.outputLimit = 1000});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->succeeded());
  EXPECT_EQ(run->output.size(), 1000u);
  EXPECT_TRUE(run->outputTruncated);
}

TEST_F(ScriptRunnerTest, TimeoutKillsTheScriptAndItsChildren) {
  const auto pidFile = dir_ / "child.pid";
  const auto path =
      script("hang.sh", "sleep 300 &\necho $! > '" + pidFile.string() + "'\nwait\n", false);
  auto run = runScript(path, {.timeout = std::chrono::milliseconds(500),
                              .killGrace = std::chrono::milliseconds(200)});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->timedOut);
  EXPECT_FALSE(run->succeeded());
  EXPECT_LT(run->duration, std::chrono::seconds(10));
  std::ifstream in(pidFile);
  pid_t child = 0;
  ASSERT_TRUE(in >> child);
  // The child was in the script's process group: it must be gone (or a zombie
  // reaped by init) — kill(pid, 0) fails with ESRCH once it is.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::kill(child, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    ::usleep(10000);
  }
  EXPECT_NE(::kill(child, 0), 0) << "child " << child << " survived the timeout";
}

TEST_F(ScriptRunnerTest, AMissingScriptIsAnErrorNotARun) {
  auto run = runScript((dir_ / "nope.sh").string(), {});
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().message(), "script " + (dir_ / "nope.sh").string() + ": no such file");
  auto unrunnable = runCommand({(dir_ / "nope").string()}, {});
  ASSERT_FALSE(unrunnable);
  EXPECT_EQ(unrunnable.error().code(), ErrorCode::kFailedPrecondition);
}

} // namespace
} // namespace harborrobot::process

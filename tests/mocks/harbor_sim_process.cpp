#include "mocks/harbor_sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern "C" char** environ;

namespace harborrobot::testing {

HarborSimProcess::HarborSimProcess(const std::string& binary, std::vector<std::string> extraArgs) {
  char pattern[] = "/tmp/harborsim-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr)
    throw std::runtime_error("cannot create a state dir for the Harbor simulator");
  state_ = pattern;
  std::vector<std::string> args = {binary, "--state-dir", state_.string(),
                                   "--failed-login-delay-ms", "0"};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (state_ / "stdout.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0)
    throw std::runtime_error("cannot start " + binary);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(state_ / "port")) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(binary + " exited during start");
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(binary + " did not write its port within 30s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream(state_ / "port") >> port_;
}

HarborSimProcess::~HarborSimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(state_, ignored);
}

std::string HarborSimProcess::url() const {
  return "https://" + host();
}

std::string HarborSimProcess::host() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string HarborSimProcess::caPem() const {
  std::ifstream in(caFile());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace harborrobot::testing

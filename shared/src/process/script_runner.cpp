// fork/exec with pipes, poll() until exit or deadline, and a process-group kill.
#include "harborrobot/process/script_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

#include <fmt/format.h>

extern char** environ;

namespace harborrobot::process {

namespace {

// A file descriptor closed on destruction.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

private:
  int fd_ = -1;
};

Result<std::pair<Fd, Fd>> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return makeError(ErrorCode::kUnavailable, fmt::format("pipe: {}", std::strerror(errno)));
  }
  return std::pair<Fd, Fd>{Fd(fds[0]), Fd(fds[1])};
}

void appendBounded(std::string& target, bool& truncated, const char* data, std::size_t size,
                   std::size_t limit) {
  const std::size_t room = target.size() < limit ? limit - target.size() : 0;
  target.append(data, std::min(room, size));
  if (size > room) {
    truncated = true;
  }
}

} // namespace

std::vector<std::string> commandFor(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  in.read(magic, 2);
  const bool shebang = in.gcount() == 2 && magic[0] == '#' && magic[1] == '!';
  if (shebang && ::access(path.c_str(), X_OK) == 0) {
    return {path};
  }
  return {"/bin/bash", path};
}

Result<ScriptRun> runCommand(const std::vector<std::string>& argv, const ScriptOptions& options) {
  if (argv.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "running a script: no command");
  }
  auto out = makePipe();
  auto err = makePipe();
  auto exec = makePipe(); // reports an exec failure back to the parent
  if (!out || !err || !exec) {
    return makeError(!out ? out.error() : !err ? err.error() : exec.error());
  }
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  // The child's environment is built before fork: only exec happens after it.
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto replaced = std::any_of(
        options.extraEnvironment.begin(), options.extraEnvironment.end(), [&](const auto& extra) {
          return text.size() > extra.first.size() && text.starts_with(extra.first) &&
                 text[extra.first.size()] == '=';
        });
    if (!replaced) {
      environment.emplace_back(text);
    }
  }
  for (const auto& [name, value] : options.extraEnvironment) {
    environment.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : environment) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);

  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    return makeError(ErrorCode::kUnavailable, fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::setpgid(0, 0);
    ::dup2(out->second.get(), STDOUT_FILENO);
    ::dup2(err->second.get(), STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(args[0], args.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] const auto written = ::write(exec->second.get(), &error, sizeof error);
    ::_exit(127);
  }
  // Parent. Also set the group here: whichever runs first wins the race.
  ::setpgid(pid, pid);
  out->second.reset();
  err->second.reset();
  exec->second.reset();

  int execError = 0;
  if (::read(exec->first.get(), &execError, sizeof execError) == sizeof execError) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("cannot run {}: {}", argv[0], std::strerror(execError)));
  }

  ScriptRun run;
  const auto deadline = started + options.timeout;
  std::optional<std::chrono::steady_clock::time_point> killAt;
  bool killed = false;
  std::array<pollfd, 2> fds = {{{out->first.get(), POLLIN, 0}, {err->first.get(), POLLIN, 0}}};
  int open = 2;
  int status = 0;
  bool exited = false;
  char buffer[4096];
  while (!exited || open > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!run.timedOut && now >= deadline) {
      run.timedOut = true;
      ::kill(-pid, SIGTERM);
      killAt = now + options.killGrace;
    }
    if (killAt && !killed && now >= *killAt) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      // Children the script left behind in its group die with it.
      ::kill(-pid, SIGKILL);
    }
    if (open == 0) {
      if (!exited) {
        const auto wait = std::chrono::milliseconds(20);
        ::poll(nullptr, 0, static_cast<int>(wait.count()));
      }
      continue;
    }
    auto next = killAt && !killed ? *killAt : deadline;
    const auto waitMs = std::clamp<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count(), 0, 50);
    if (::poll(fds.data(), fds.size(), static_cast<int>(waitMs)) <= 0) {
      continue;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        appendBounded(i == 0 ? run.output : run.errors, run.outputTruncated, buffer,
                      static_cast<std::size_t>(got), options.outputLimit);
      } else {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  run.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (WIFEXITED(status)) {
    run.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    run.signal = WTERMSIG(status);
  }
  return run;
}

Result<ScriptRun> runScript(const std::string& path, const ScriptOptions& options) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return makeError(ErrorCode::kFailedPrecondition, fmt::format("script {}: no such file", path));
  }
  return runCommand(commandFor(path), options);
}

} // namespace harborrobot::process

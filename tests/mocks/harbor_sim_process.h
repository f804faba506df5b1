// The Harbor simulator (tests/sim/harbor) as a child process for C++ tests: a
// fresh state dir, a free port, its own CA; stopped (SIGTERM) and cleaned up
// on destruction.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace harborrobot::testing {

class HarborSimProcess {
public:
  // Starts `binary` with `extraArgs` and waits until it has written its port.
  explicit HarborSimProcess(const std::string& binary, std::vector<std::string> extraArgs = {});
  ~HarborSimProcess();
  HarborSimProcess(const HarborSimProcess&) = delete;
  HarborSimProcess& operator=(const HarborSimProcess&) = delete;

  std::string url() const;   // https://127.0.0.1:<port>
  std::string host() const;  // 127.0.0.1:<port>
  std::string caPem() const; // the simulator's CA certificate
  std::filesystem::path caFile() const { return state_ / "pki" / "ca.crt"; }
  const std::filesystem::path& stateDir() const { return state_; }
  pid_t pid() const { return pid_; }

private:
  std::filesystem::path state_;
  int port_ = 0;
  pid_t pid_ = -1;
};

} // namespace harborrobot::testing

// The distribution registry behind the simulator, as Harbor runs it behind
// core: Debian's docker-registry, started as a child process, listening on a
// Unix socket in the state dir so nothing but the simulator can reach it (Harbor
// uses htpasswd between core and registry for the same purpose).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace harborrobot::harborsim {

struct UpstreamResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class RegistryUpstream {
public:
  // Writes DIR/config.yml, starts `binary serve` with its data in DIR/data and
  // its log in DIR/registry.log, and waits until it answers /v2/.
  static tl::expected<std::unique_ptr<RegistryUpstream>, std::string>
  start(const std::filesystem::path& binary, const std::filesystem::path& directory,
        std::chrono::seconds readyTimeout);
  ~RegistryUpstream(); // stops the registry (SIGTERM, then SIGKILL)
  RegistryUpstream(const RegistryUpstream&) = delete;
  RegistryUpstream& operator=(const RegistryUpstream&) = delete;

  // One request, whole bodies both ways (test images are small). Headers are
  // passed as sent; hop-by-hop ones are the caller's to drop.
  tl::expected<UpstreamResponse, std::string>
  forward(const std::string& method, const std::string& target,
          const std::vector<std::pair<std::string, std::string>>& headers,
          const std::string& body) const;

private:
  RegistryUpstream(pid_t pid, std::filesystem::path socket);
  pid_t pid_;
  std::filesystem::path socket_;
};

} // namespace harborrobot::harborsim

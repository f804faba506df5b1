// What every command shares: kubectl's own flags (which kubectl does not resolve
// for a plugin), the API client built from them on first use, output settings,
// and the one way a failure becomes a message and an exit code.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "harborrobot/cli/duration_flag.h"
#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/kubeconfig.h"

namespace harborrobot::cli {

// kubectl's exit codes: 0, 1 for every failure, 124 when a deadline ran out
// (as `timeout(1)` and `kubectl wait` report it).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitTimeout = 124;

struct GlobalFlags {
  std::string kubeconfig{};
  std::string context{};
  std::string ns{};
  std::string requestTimeout = "0";
  std::string color = "auto"; // auto, always, never
};

class Session {
public:
  // `flags` is filled by the parser before any command runs.
  explicit Session(const GlobalFlags& flags) : flags_(flags) {}

  // Loads the kubeconfig on first use; errors name the flag or file at fault.
  [[nodiscard]] Result<kube::Client*> client();
  // The namespace of -n, else the context's, else "default" (after client()).
  const std::string& ns() const { return namespace_; }
  bool namespaceGiven() const { return !flags_.ns.empty(); }
  const kube::KubeconfigSelection& selection() const { return selection_; }

  // Colour is used on a terminal unless NO_COLOR is set or --color says otherwise.
  bool colorOn(std::FILE* stream) const;
  std::string paint(std::string_view text, std::string_view ansi, std::FILE* stream) const;

  // Prints "error: <message>" on stderr and returns the exit code for it.
  int fail(const Error& error) const;

private:
  const GlobalFlags& flags_;
  std::unique_ptr<kube::Client> client_;
  std::string namespace_;
  kube::KubeconfigSelection selection_;
};

} // namespace harborrobot::cli

// The kubeconfig `exec` credential plugin protocol (client.authentication.k8s.io):
// run the helper with its args and env plus KUBERNETES_EXEC_INFO, read an
// ExecCredential from its stdout, and reuse the token until it expires.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/rest_config.h"

namespace harborrobot::kube {

struct ExecConfig {
  std::string userName{};   // for messages
  std::string apiVersion{}; // client.authentication.k8s.io/v1 or /v1beta1
  std::string command{};    // resolved to a path before running
  std::vector<std::string> args{};
  std::vector<std::pair<std::string, std::string>> env{};
  std::optional<nlohmann::json> clusterInfo{}; // provideClusterInfo: spec.cluster
  std::chrono::seconds timeout{60};
};

struct ExecCredential {
  SecretString token{};
  std::string clientCertificatePem{};
  SecretString clientKeyPem{};
  std::optional<std::chrono::system_clock::time_point> expiresAt{};
};

// Parses a helper's stdout; `expectedApiVersion` must match what it returned.
[[nodiscard]] Result<ExecCredential> parseExecCredential(std::string_view output,
                                                         std::string_view expectedApiVersion);

// Runs the helper once. Errors carry its stderr (helpers explain themselves there)
// but never its stdout, which holds the credential.
[[nodiscard]] Result<ExecCredential> runExecPlugin(const ExecConfig& config);

// Re-runs the helper when the token expires or after a 401.
class ExecTokenSource final : public TokenSource {
public:
  ExecTokenSource(ExecConfig config, std::optional<ExecCredential> first);
  Result<SecretString> token(bool afterUnauthorized) override;

private:
  ExecConfig config_;
  std::mutex mutex_;
  std::optional<ExecCredential> cached_;
};

} // namespace harborrobot::kube

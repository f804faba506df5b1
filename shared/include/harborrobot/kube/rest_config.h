// How to reach an API server: its URL, TLS trust, and where credentials come from.
// Built from a kubeconfig (the kubectl plugin) or the in-cluster files (agents).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::kube {

// Supplies the bearer token for each request. Implementations cache and refresh:
// a projected token file is re-read as the kubelet rotates it.
class TokenSource {
public:
  virtual ~TokenSource();
  // The token to send now; `afterUnauthorized` asks for a fresh one after a 401.
  [[nodiscard]] virtual Result<SecretString> token(bool afterUnauthorized) = 0;
};

class StaticTokenSource final : public TokenSource {
public:
  explicit StaticTokenSource(SecretString token) : token_(std::move(token)) {}
  Result<SecretString> token(bool) override { return token_; }

private:
  SecretString token_;
};

// Re-reads the file when its cached copy is older than `maxAge` (client-go: one
// minute) or after a 401.
class FileTokenSource final : public TokenSource {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  FileTokenSource(std::filesystem::path file,
                  std::chrono::seconds maxAge = std::chrono::seconds(60), Clock clock = {});
  Result<SecretString> token(bool afterUnauthorized) override;

private:
  std::filesystem::path file_;
  std::chrono::seconds maxAge_;
  Clock clock_;
  std::mutex mutex_;
  SecretString cached_;
  std::optional<std::chrono::steady_clock::time_point> readAt_;
};

struct RestConfig {
  std::string server{};                  // https://host:port
  http::TlsOptions tls{};                // CA, client certificate
  std::shared_ptr<TokenSource> tokens{}; // null = no bearer token (client certs only)
  std::string ns = "default";            // the default namespace
  std::chrono::milliseconds timeout{30000};
  std::string userAgent = "harborrobot/" HARBORROBOT_VERSION;
  // A 429, or a 5xx carrying Retry-After, is retried after the server's wait, at
  // most this many times (client-go rest/with_retry.go, maxRetries 10).
  int maxRetries = 10;
  // Waits before a retry; empty means std::this_thread::sleep_for. Tests inject
  // one that records the wait.
  std::function<void(std::chrono::milliseconds)> sleep{};
};

struct InClusterPaths {
  // The service-account directory; tests point it at a temp dir.
  std::filesystem::path directory = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// rest.InClusterConfig's rules: KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed),
// token (re-read), ca.crt, namespace from $POD_NAMESPACE, the namespace file, or
// "default". `getenv` is injected for tests.
[[nodiscard]] Result<RestConfig>
inClusterConfig(const InClusterPaths& paths, const std::function<const char*(const char*)>& getenv);

} // namespace harborrobot::kube

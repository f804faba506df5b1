// Token sources and the in-cluster configuration.
#include "harborrobot/kube/rest_config.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace harborrobot::kube {

namespace {

Result<std::string> readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kNotFound, fmt::format("reading {}: cannot open", file.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

} // namespace

TokenSource::~TokenSource() = default;

FileTokenSource::FileTokenSource(std::filesystem::path file, std::chrono::seconds maxAge,
                                 Clock clock)
    : file_(std::move(file)), maxAge_(maxAge), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::steady_clock::now(); };
  }
}

Result<SecretString> FileTokenSource::token(bool afterUnauthorized) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (!afterUnauthorized && readAt_ && now - *readAt_ < maxAge_) {
    return cached_;
  }
  auto text = readFile(file_);
  if (!text) {
    // A transient read failure keeps the last good token rather than dropping auth.
    if (readAt_) {
      return cached_;
    }
    return makeError(text.error().withContext("reading the service account token"));
  }
  const std::string token = trimmed(std::move(*text));
  if (token.empty()) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("service account token {} is empty", file_.string()));
  }
  cached_ = SecretString(token);
  readAt_ = now;
  return cached_;
}

Result<RestConfig> inClusterConfig(const InClusterPaths& paths,
                                   const std::function<const char*(const char*)>& getenv) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return makeError(ErrorCode::kFailedPrecondition,
                     "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
                     "KUBERNETES_SERVICE_PORT must be defined");
  }
  RestConfig config;
  const std::string_view hostText = host;
  config.server = hostText.find(':') != std::string_view::npos
                      ? fmt::format("https://[{}]:{}", hostText, port)
                      : fmt::format("https://{}:{}", hostText, port);
  auto ca = readFile(paths.directory / "ca.crt");
  if (!ca) {
    return makeError(ca.error().withContext("in-cluster configuration"));
  }
  config.tls.caPem = std::move(*ca);
  auto tokens = std::make_shared<FileTokenSource>(paths.directory / "token");
  if (auto first = tokens->token(false); !first) {
    return makeError(first.error().withContext("in-cluster configuration"));
  }
  config.tokens = std::move(tokens);
  if (const char* podNamespace = getenv("POD_NAMESPACE");
      podNamespace != nullptr && *podNamespace != '\0') {
    config.ns = podNamespace;
  } else if (auto ns = readFile(paths.directory / "namespace"); ns && !trimmed(*ns).empty()) {
    config.ns = trimmed(std::move(*ns));
  }
  return config;
}

} // namespace harborrobot::kube

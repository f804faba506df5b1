// The plugin's session: kubeconfig loading, colour, errors.
#include "session.h"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

namespace harborrobot::cli {

Result<kube::Client*> Session::client() {
  if (client_) {
    return client_.get();
  }
  kube::KubeconfigRequest request;
  request.explicitFile = flags_.kubeconfig;
  if (const char* env = std::getenv("KUBECONFIG")) {
    request.kubeconfigEnv = env;
  }
  if (const char* home = std::getenv("HOME")) {
    request.home = home;
  }
  request.context = flags_.context;
  request.ns = flags_.ns;
  auto timeout = parseDurationFlag("--request-timeout", flags_.requestTimeout);
  if (!timeout) {
    return makeError(timeout.error());
  }
  if (timeout->count() > 0) {
    request.requestTimeout = *timeout;
  }
  auto loaded = kube::loadKubeconfig(request);
  if (!loaded) {
    return makeError(loaded.error());
  }
  namespace_ = loaded->rest.ns;
  selection_ = loaded->selection;
  if (!request.requestTimeout) {
    // kubectl's 0 means "no limit"; a plugin still must not hang forever on a
    // black-holed server, so single requests get a generous bound.
    loaded->rest.timeout = std::chrono::minutes(5);
  }
  client_ = std::make_unique<kube::Client>(std::move(loaded->rest));
  return client_.get();
}

bool Session::colorOn(std::FILE* stream) const {
  if (flags_.color == "always") {
    return true;
  }
  if (flags_.color == "never") {
    return false;
  }
  const char* noColor = std::getenv("NO_COLOR");
  if (noColor != nullptr && *noColor != '\0') {
    return false;
  }
  return ::isatty(::fileno(stream)) == 1;
}

std::string Session::paint(std::string_view text, std::string_view ansi, std::FILE* stream) const {
  if (!colorOn(stream)) {
    return std::string(text);
  }
  return fmt::format("\033[{}m{}\033[0m", ansi, text);
}

int Session::fail(const Error& error) const {
  std::fprintf(stderr, "%s %s\n", paint("error:", "31", stderr).c_str(), error.message().c_str());
  return error.code() == ErrorCode::kDeadlineExceeded ? kExitTimeout : kExitFailure;
}

} // namespace harborrobot::cli

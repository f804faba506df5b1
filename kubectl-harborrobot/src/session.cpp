// The plugin's session: kubeconfig loading, colour, errors.
#include "session.h"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "harborrobot/util/go_duration.h"

namespace harborrobot::cli {

Result<std::chrono::milliseconds> parseDurationFlag(std::string_view flag, std::string_view value) {
  const bool digitsOnly =
      !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
  if (digitsOnly && value.size() <= 9) {
    return std::chrono::milliseconds(std::stoll(std::string(value)) * 1000);
  }
  auto parsed = parseGoDuration(value);
  if (!parsed || parsed->count() < 0) {
    return makeError(fieldError(flag, value, "is not a duration",
                                "a number of seconds or a Go duration such as 30s, 2m or 1h"));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

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

std::chrono::milliseconds Deadline::left() const {
  const auto now = std::chrono::steady_clock::now();
  return now >= end_ ? std::chrono::milliseconds(0)
                     : std::chrono::duration_cast<std::chrono::milliseconds>(end_ - now);
}

} // namespace harborrobot::cli

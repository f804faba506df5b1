// HTTP behind an interface: providers and the Kubernetes client speak through it,
// so tests can use a fake and the real one (libcurl) stays in one place.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::http {

// Header names compare case-insensitively, as HTTP requires.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct BasicAuth {
  std::string username{};
  SecretString password{};
};

struct Request {
  std::string method = "GET";
  std::string url{};
  Headers headers{};
  std::string body{};
  std::optional<BasicAuth> basicAuth{}; // kept apart from headers so it is never logged
  std::chrono::milliseconds timeout{30000};
};

struct Response {
  int status = 0;
  Headers headers{};
  std::string body{};
};

class Client {
public:
  virtual ~Client();
  // A transport failure (DNS, connect, TLS, timeout) is an error (kUnavailable or
  // kDeadlineExceeded); any HTTP status, 5xx included, is a Response.
  [[nodiscard]] virtual Result<Response> send(const Request& request) = 0;
};

} // namespace harborrobot::http

// Calls to Harbor's API v2.0 over an http::Client: URL building, Basic auth, and
// Harbor's error bodies ({"errors":[{"code","message"}]}) turned into Errors.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/http/percent_encode.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::plugins::harbor {

using Json = nlohmann::json;

class HarborApi {
public:
  HarborApi(std::string baseUrl, std::string username, SecretString password, http::Client& client);

  // `path` starts with "/" and is relative to the base URL (e.g. "/api/v2.0/ping").
  // Non-2xx answers become errors carrying Harbor's own message.
  [[nodiscard]] Result<http::Response> call(std::string_view method, std::string_view path,
                                            const std::optional<Json>& body = std::nullopt,
                                            http::Headers headers = {}) const;
  [[nodiscard]] Result<Json> callJson(std::string_view method, std::string_view path,
                                      const std::optional<Json>& body = std::nullopt,
                                      http::Headers headers = {}) const;

  const std::string& baseUrl() const { return baseUrl_; }
  const std::string& username() const { return username_; }
  http::Client& client() const { return client_; }

private:
  // Harbor locks a username for 1.5 s after a failed login, and treats even the
  // right password as anonymous meanwhile: a call inside that window waits it out
  // rather than fail for a reason that is not the caller's.
  void waitOutLoginLock() const;
  void noteAnswer(int status) const;

  std::string baseUrl_;
  std::string username_;
  SecretString password_;
  http::Client& client_;
  mutable std::mutex lockMutex_;
  mutable std::chrono::steady_clock::time_point lockedUntil_{};
};

// The Error for a Harbor response: its HTTP status mapped to a code, and the
// message "<METHOD> <path>: HTTP <status> <CODE>: <message>". Read-only mode's
// 403 is kUnavailable: a maintenance window to wait out, not a refusal.
Error harborError(const http::Response& response, std::string_view method, std::string_view path);

} // namespace harborrobot::plugins::harbor

// Calls to Harbor's API v2.0 over an http::Client: URL building, Basic auth, and
// Harbor's error bodies ({"errors":[{"code","message"}]}) turned into Errors.
#pragma once

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

  // The same request with other credentials (credential verification).
  [[nodiscard]] Result<http::Response> callAs(std::string_view username, const SecretString& secret,
                                              std::string_view path) const;

  const std::string& baseUrl() const { return baseUrl_; }
  const std::string& username() const { return username_; }

private:
  std::string baseUrl_;
  std::string username_;
  SecretString password_;
  http::Client& client_;
};

// The Error for a Harbor response: its HTTP status mapped to a code, and the
// message "<METHOD> <path>: HTTP <status> <CODE>: <message>".
Error harborError(const http::Response& response, std::string_view method, std::string_view path);

} // namespace harborrobot::plugins::harbor

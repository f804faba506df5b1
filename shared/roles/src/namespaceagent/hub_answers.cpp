// Reading the hub's answers: the status mapping is the hub's (http/status_codes.h)
// but for the exceptions named in the header.
#include "harborrobot/namespaceagent/hub_answers.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "harborrobot/http/status_codes.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::namespaceagent {

http::Request hubRequest(std::string method, std::string url, const SecretString& token,
                         const std::optional<nlohmann::json>& body) {
  http::Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers["Authorization"] = "Bearer " + std::string(token.reveal());
  request.headers["Accept"] = "application/json";
  if (body) {
    request.headers["Content-Type"] = "application/json";
    request.body = jsonText(*body);
  }
  request.timeout = kHubCallTimeout;
  return request;
}

ErrorCode hubStatusErrorCode(int status) {
  switch (status) {
  case 409:
    return ErrorCode::kFailedPrecondition;
  case 413:
    return ErrorCode::kResourceExhausted;
  case 422:
    return ErrorCode::kUnavailable;
  default:
    return http::errorCodeForStatus(status);
  }
}

std::chrono::seconds hubThrottleWait(const http::Headers& headers) {
  long long wait = 1;
  if (const auto after = headers.find("Retry-After"); after != headers.end()) {
    wait = std::strtoll(after->second.c_str(), nullptr, 10);
  }
  return std::chrono::seconds(std::clamp(wait, 1LL, 30LL));
}

Result<nlohmann::json> readHubAnswer(std::string_view method, std::string_view path,
                                     const http::Response& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status / 100 == 2) {
    if (json.is_discarded()) {
      return makeError(ErrorCode::kUnavailable,
                       fmt::format("hub {} {}: the answer is not JSON", method, path));
    }
    return json;
  }
  const std::string message =
      json.is_object() ? stringField(json, "error", "no message") : "no message";
  return makeError(hubStatusErrorCode(response.status),
                   fmt::format("hub {} {}: HTTP {}: {}", method, path, response.status, message));
}

} // namespace harborrobot::namespaceagent

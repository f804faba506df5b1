// HarborApi: one place for auth, headers and error mapping.
#include "harbor_api.h"
#include "harborrobot/http/status_codes.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/util/json_text.h"

#include <cctype>
#include <thread>

#include <fmt/format.h>

namespace harborrobot::plugins::harbor {

namespace {

ErrorCode codeFor(int status) {
  // Harbor's own meanings, on top of the shared mapping: 409 is a name already
  // taken (a robot, a project), 412 a refused precondition (GET /users/current
  // as a robot account: see harbor_provider.cpp). A status Harbor does not document is a bug of
  // ours (kInternal), not a transient failure.
  switch (status) {
  case 409:
    return ErrorCode::kAlreadyExists;
  case 412:
    return ErrorCode::kFailedPrecondition;
  default:
    return http::errorCodeForStatus(status, ErrorCode::kInternal);
  }
}

} // namespace

Error harborError(const http::Response& response, std::string_view method, std::string_view path) {
  std::string detail;
  const Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty() && body["errors"][0].is_object()) {
    const Json& first = body["errors"][0];
    detail =
        fmt::format("{}: {}", stringField(first, "code", "UNKNOWN"), stringField(first, "message"));
  } else {
    // Not Harbor's shape (a proxy, a load balancer): a bounded excerpt only.
    detail = response.body.substr(0, 120);
  }
  const ErrorCode code = registry::isReadOnlyRefusal(response.status, response.body)
                             ? ErrorCode::kUnavailable
                             : codeFor(response.status);
  const std::string plainPath(path.substr(0, path.find('?')));
  return Error(code, fmt::format("{} {}: HTTP {}{}{}", method, plainPath, response.status,
                                 detail.empty() ? "" : " ", detail));
}

HarborApi::HarborApi(std::string baseUrl, std::string username, SecretString password,
                     http::Client& client)
    : baseUrl_(std::move(baseUrl)), username_(std::move(username)), password_(std::move(password)),
      client_(client) {
  while (!baseUrl_.empty() && baseUrl_.back() == '/') {
    baseUrl_.pop_back();
  }
}

Result<http::Response> HarborApi::call(std::string_view method, std::string_view path,
                                       const std::optional<Json>& body,
                                       http::Headers headers) const {
  http::Request request;
  request.method = std::string(method);
  request.url = baseUrl_ + std::string(path);
  request.headers = std::move(headers);
  request.headers["Accept"] = "application/json";
  request.basicAuth = http::BasicAuth{username_, password_};
  if (body) {
    request.body = jsonText(*body);
    request.headers["Content-Type"] = "application/json";
  }
  waitOutLoginLock();
  auto response = client_.send(request);
  if (!response) {
    return makeError(response.error());
  }
  noteAnswer(response->status);
  if (response->status < 200 || response->status > 299) {
    return makeError(harborError(*response, method, path));
  }
  return response;
}

Result<Json> HarborApi::callJson(std::string_view method, std::string_view path,
                                 const std::optional<Json>& body, http::Headers headers) const {
  auto response = call(method, path, body, std::move(headers));
  if (!response) {
    return makeError(response.error());
  }
  Json parsed = Json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return makeError(ErrorCode::kUnavailable, fmt::format("{} {}: the response is not JSON", method,
                                                          path.substr(0, path.find('?'))));
  }
  return parsed;
}

void HarborApi::waitOutLoginLock() const {
  std::chrono::steady_clock::time_point until;
  {
    std::lock_guard lock(lockMutex_);
    until = lockedUntil_;
  }
  if (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_until(until);
  }
}

void HarborApi::noteAnswer(int status) const {
  if (status != 401) {
    return;
  }
  // A little past Harbor's own lock, so the next try falls outside it.
  std::lock_guard lock(lockMutex_);
  lockedUntil_ = std::chrono::steady_clock::now() + registry::kFailedLoginLock +
                 std::chrono::milliseconds(100);
}

} // namespace harborrobot::plugins::harbor

#include "hub_client.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "harborrobot/http/status_codes.h"
#include "harborrobot/reconcile/hub_routes.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::namespace_role {

namespace {

using reconcile::HubRouteKind;
using reconcile::hubRoutePath;

http::ClientOptions optionsFor(const std::filesystem::path& caFile) {
  http::ClientOptions options;
  options.tls.caFile = caFile.string();
  return options;
}

// The hub answers with http::statusForErrorCode, read back here with its own
// exceptions: 409 stands for kConflict, kAlreadyExists and kFailedPrecondition
// alike (read as the last: a refusal a retry will not cure), 413 is the hub's
// body limit, and 422, which the hub never answers (something in between
// does), stays transient.
ErrorCode codeForHubStatus(int status) {
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

} // namespace

HubClient::HubClient(std::string baseUrl, std::string ns, const std::filesystem::path& caFile,
                     std::filesystem::path tokenFile)
    : baseUrl_(std::move(baseUrl)), ns_(std::move(ns)),
      http_(std::make_unique<http::HttpsClient>(optionsFor(caFile))),
      tokens_(std::move(tokenFile)) {}

Result<nlohmann::json> HubClient::call(std::string method, const std::string& path,
                                       const std::optional<nlohmann::json>& body) {
  // A 429 (the hub's per-namespace rate limit) is waited out as its
  // Retry-After says (at most 30 s), a few times, before it counts as failed.
  int throttled = 0;
  for (bool retried = false;; retried = true) {
    auto token = tokens_.token(retried);
    if (!token) {
      return makeError(token.error());
    }
    http::Request request;
    request.method = method;
    request.url = baseUrl_ + path;
    request.headers["Authorization"] = "Bearer " + std::string(token->reveal());
    request.headers["Accept"] = "application/json";
    if (body) {
      request.headers["Content-Type"] = "application/json";
      request.body = jsonText(*body);
    }
    request.timeout = std::chrono::seconds(30);
    auto response = http_->send(request);
    if (!response) {
      return makeError(response.error().code(),
                       fmt::format("hub {} {}: {}", method, path, response.error().message()));
    }
    if (response->status == 401 && !retried) {
      continue; // the kubelet may have just rotated the token: read it again once
    }
    if (response->status == 429 && throttled < 3) {
      ++throttled;
      long long wait = 1;
      if (const auto after = response->headers.find("Retry-After");
          after != response->headers.end()) {
        wait = std::strtoll(after->second.c_str(), nullptr, 10);
      }
      std::this_thread::sleep_for(std::chrono::seconds(std::clamp(wait, 1LL, 30LL)));
      continue;
    }
    auto json = nlohmann::json::parse(response->body, nullptr, false);
    if (response->status / 100 == 2) {
      if (json.is_discarded()) {
        return makeError(ErrorCode::kUnavailable,
                         fmt::format("hub {} {}: the answer is not JSON", method, path));
      }
      return json;
    }
    const std::string message =
        json.is_object() ? stringField(json, "error", "no message") : "no message";
    return makeError(
        codeForHubStatus(response->status),
        fmt::format("hub {} {}: HTTP {}: {}", method, path, response->status, message));
  }
}

Result<std::vector<reconcile::AgentBinding>> HubClient::bindings() {
  auto json = call("GET", hubRoutePath(HubRouteKind::kBindings, ns_), std::nullopt);
  if (!json) {
    return makeError(json.error());
  }
  return reconcile::parseBindingList(*json);
}

Result<reconcile::IssuedCredential> HubClient::issue(std::string_view binding,
                                                     const reconcile::CredentialRequest& request) {
  auto json = call("POST", hubRoutePath(HubRouteKind::kCredentials, ns_, binding),
                   reconcile::toJson(request));
  if (!json) {
    return makeError(json.error());
  }
  return reconcile::parseIssuedCredential(*json);
}

Status HubClient::activate(std::string_view binding, const reconcile::Activation& activation) {
  auto json = call("POST", hubRoutePath(HubRouteKind::kActivation, ns_, binding),
                   reconcile::toJson(activation));
  return json ? ok() : makeError(json.error());
}

Status HubClient::report(const reconcile::AgentReport& report) {
  auto json = call("PUT", hubRoutePath(HubRouteKind::kStatus, ns_), reconcile::toJson(report));
  return json ? ok() : makeError(json.error());
}

void HubClient::closeIdle() {
  http_->closeIdle();
}

} // namespace harborrobot::agent::namespace_role

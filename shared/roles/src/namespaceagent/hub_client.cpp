// HubClient: the retry rules of one call (a 401 once, a 429 a few times); the
// request and the reading of answers are in hub_answers.h.
#include "harborrobot/namespaceagent/hub_client.h"

#include <thread>

#include <fmt/format.h>

#include "harborrobot/namespaceagent/hub_answers.h"
#include "harborrobot/reconcile/hub_routes.h"

namespace harborrobot::namespaceagent {

namespace {

using reconcile::HubRouteKind;
using reconcile::hubRoutePath;

} // namespace

HubClient::HubClient(http::Client& http, std::string baseUrl, std::string ns,
                     kube::TokenSource& tokens, Sleep sleep)
    : http_(http), baseUrl_(std::move(baseUrl)), ns_(std::move(ns)), tokens_(tokens),
      sleep_(sleep ? std::move(sleep)
                   : [](std::chrono::seconds wait) { std::this_thread::sleep_for(wait); }) {}

Result<nlohmann::json> HubClient::call(const std::string& method, const std::string& path,
                                       const std::optional<nlohmann::json>& body) {
  // A 429 (the hub's per-namespace rate limit) is waited out as its
  // Retry-After says (at most 30 s), a few times, before it counts as failed.
  int throttled = 0;
  for (bool retried = false;; retried = true) {
    auto token = tokens_.token(retried);
    if (!token) {
      return makeError(token.error());
    }
    auto response = http_.send(hubRequest(method, baseUrl_ + path, *token, body));
    if (!response) {
      return makeError(response.error().code(),
                       fmt::format("hub {} {}: {}", method, path, response.error().message()));
    }
    if (response->status == 401 && !retried) {
      continue; // the kubelet may have just rotated the token: read it again once
    }
    if (response->status == 429 && throttled < kHubThrottledRetries) {
      ++throttled;
      sleep_(hubThrottleWait(response->headers));
      continue;
    }
    return readHubAnswer(method, path, *response);
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

} // namespace harborrobot::namespaceagent

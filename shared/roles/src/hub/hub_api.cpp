// The hub API's request handling: the order of its checks is part of its
// contract (a caller without a valid token learns nothing else, not even
// whether the method is right).
#include "harborrobot/hub/hub_api.h"

#include <fmt/format.h>

#include "harborrobot/http/status_codes.h"
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::hub {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kBearer = "Bearer ";

} // namespace

Result<std::string> bearerToken(std::string_view authorization) {
  if (!authorization.starts_with(kBearer)) {
    return makeError(ErrorCode::kUnauthenticated,
                     "a projected ServiceAccount token is required (Authorization: Bearer)");
  }
  const auto token = authorization.substr(kBearer.size());
  if (!reconcile::isJwtShaped(token)) {
    return makeError(ErrorCode::kUnauthenticated,
                     "the bearer token is not a ServiceAccount token (a JWT: three base64url "
                     "parts joined by dots)");
  }
  return std::string(token);
}

Status checkCaller(const Caller& caller, std::string_view ns,
                   std::string_view agentServiceAccount) {
  if (caller.ns != ns) {
    return makeError(
        ErrorCode::kPermissionDenied,
        fmt::format("{} may only act on namespace {}, not {}", caller.username, caller.ns, ns));
  }
  if (!agentServiceAccount.empty() && caller.serviceAccount != agentServiceAccount) {
    return makeError(ErrorCode::kPermissionDenied,
                     fmt::format("{} is not the agent's ServiceAccount ({})", caller.username,
                                 agentServiceAccount));
  }
  return ok();
}

bool readBodyUpTo(std::istream& stream, std::size_t limit, std::string& text) {
  char buffer[16384];
  while (stream) {
    stream.read(buffer, sizeof buffer);
    const auto got = static_cast<std::size_t>(stream.gcount());
    if (text.size() + got > limit) {
      return false;
    }
    text.append(buffer, got);
  }
  return true;
}

Result<Json> serveHubRoute(HubApiOperations& operations, const reconcile::HubRoute& route,
                           const Json& body, const reconcile::HubApiLimits& limits) {
  switch (route.kind) {
  case reconcile::HubRouteKind::kBindings: {
    auto bindings = operations.bindingsFor(route.ns);
    if (!bindings) {
      return makeError(bindings.error());
    }
    return reconcile::toJson(*bindings);
  }
  case reconcile::HubRouteKind::kCredentials: {
    auto parsed = reconcile::parseCredentialRequest(body);
    if (!parsed) {
      return makeError(parsed.error());
    }
    auto issued = operations.issue(route.ns, route.binding, *parsed);
    if (!issued) {
      return makeError(issued.error());
    }
    return reconcile::toJson(*issued);
  }
  case reconcile::HubRouteKind::kActivation: {
    auto parsed = reconcile::parseActivation(body);
    if (!parsed) {
      return makeError(parsed.error());
    }
    if (auto done = operations.activate(route.ns, route.binding, *parsed); !done) {
      return makeError(done.error());
    }
    return Json::object();
  }
  case reconcile::HubRouteKind::kStatus: {
    auto parsed = reconcile::parseAgentReport(body);
    if (!parsed) {
      return makeError(parsed.error());
    }
    // Capped and redacted: it goes into the binding's shared status.
    reconcile::capReport(*parsed, limits);
    if (auto done = operations.report(route.ns, *parsed); !done) {
      return makeError(done.error());
    }
    return Json::object();
  }
  }
  return makeError(ErrorCode::kInternal, "unhandled hub API route");
}

HubApi::HubApi(HubApiOperations& operations, CallerReview& reviewer, HubApiSettings settings)
    : operations_(operations), reviewer_(reviewer), settings_(std::move(settings)),
      limiter_(settings_.limits.requestsPerSecond, settings_.limits.burst),
      refused_(settings_.limits.maxCachedReviews) {}

HubApiAnswer HubApi::handle(const HubApiRequest& request, reconcile::SteadyTime now) {
  const auto route = reconcile::parseHubRoute(request.path);
  Progress progress;
  auto result = answer(request, route, now, progress);
  HubApiAnswer answer;
  answer.routeName = route ? reconcile::hubRouteName(route->kind) : reconcile::kUnknownHubRouteName;
  answer.status = result ? 200 : http::statusForErrorCode(result.error().code());
  if (progress.tooLarge) {
    answer.status = 413;
  }
  answer.closeConnection =
      !progress.bodyRead &&
      (request.chunked || (request.contentLength && *request.contentLength > 0));
  answer.retryAfter = progress.retryAfter;
  if (result) {
    answer.body = jsonText(*result);
  } else {
    answer.body = jsonText(Json{{"error", result.error().message()}});
    answer.refusal = result.error();
  }
  return answer;
}

Result<Json> HubApi::answer(const HubApiRequest& request, const Result<reconcile::HubRoute>& route,
                            reconcile::SteadyTime now, Progress& progress) {
  if (!route) {
    return makeError(route.error());
  }
  auto token = bearerToken(request.authorization);
  if (!token) {
    return makeError(token.error());
  }
  const auto& limits = settings_.limits;
  // A refused token is answered from memory for a while: no TokenReview each.
  const std::string tokenKey = sha256Hex(*token);
  if (auto refused = refused_.find(tokenKey, now)) {
    return makeError(ErrorCode::kUnauthenticated, *refused);
  }
  auto caller = reviewer_.review(SecretString(*token));
  if (!caller) {
    if (caller.error().code() == ErrorCode::kUnauthenticated) {
      refused_.put(tokenKey, caller.error().message(), now + limits.negativeReviewTtl, now);
    }
    return makeError(caller.error());
  }
  if (auto allowed = checkCaller(*caller, route->ns, settings_.agentServiceAccount); !allowed) {
    return makeError(allowed.error());
  }
  if (auto wait = limiter_.admit(route->ns, now)) {
    progress.retryAfter = *wait;
    return makeError(ErrorCode::kResourceExhausted,
                     fmt::format("namespace {} is over its request rate; retry in {} s", route->ns,
                                 wait->count()));
  }
  if (!settings_.isLeader()) {
    return makeError(ErrorCode::kUnavailable, "this hub replica is not the leader; retry");
  }
  Json body = Json::object();
  if (request.method != "GET") {
    std::string text;
    const bool declaredTooLarge =
        request.contentLength && *request.contentLength > static_cast<std::int64_t>(limits.maxBody);
    const bool read =
        !declaredTooLarge && (!request.readBody || request.readBody(limits.maxBody, text));
    if (!read) {
      progress.tooLarge = true; // refused while reading: the rest is never buffered
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("the request body exceeds {} bytes", limits.maxBody));
    }
    progress.bodyRead = true;
    body = Json::parse(text, nullptr, false);
    if (body.is_discarded()) {
      return makeError(ErrorCode::kInvalidArgument, "the request body is not JSON");
    }
  }
  // The method is checked after the token, the rate limit and the body: a
  // wrong method from a caller without a valid token is a 401, not a 404.
  if (auto allowed = reconcile::checkHubRouteMethod(route->kind, request.method); !allowed) {
    return makeError(allowed.error());
  }
  return serveHubRoute(operations_, *route, body, limits);
}

} // namespace harborrobot::hub

// The hub API's handling of one request, apart from its transport (the agent
// serves it over Poco and TLS): the bearer token, the caller against the
// route's namespace, the per-namespace rate limit, leadership, the body, the
// route's operation, and the HTTP answer made of the result. Tested with fakes
// and a given clock (tests/unit/hub/hub_api_test.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/hub/hub_api_operations.h"
#include "harborrobot/reconcile/hub_api_limits.h"
#include "harborrobot/reconcile/hub_routes.h"

namespace harborrobot::hub {

// One request as the transport received it (the headers; the body on demand).
struct HubApiRequest {
  std::string method{};
  std::string path{}; // without the query
  std::string authorization{};
  std::optional<std::int64_t> contentLength{}; // as declared; none when absent
  bool chunked = false;
  // Reads the whole body into `text`; false as soon as it exceeds `limit`
  // bytes (the rest is never buffered). Called at most once.
  std::function<bool(std::size_t limit, std::string& text)> readBody{};
};

// What the transport sends back, and what it logs and counts.
struct HubApiAnswer {
  int status = 200;
  std::string body{};                               // JSON
  std::string routeName{};                          // the metric's route label
  std::optional<std::chrono::seconds> retryAfter{}; // a Retry-After header
  // A body left unread would be parsed as the next request on a kept-alive
  // connection: the transport closes it after this answer.
  bool closeConnection = false;
  std::optional<Error> refusal{}; // why, when status is not 200
};

struct HubApiSettings {
  reconcile::HubApiLimits limits{};
  // The only ServiceAccount (in the caller's namespace) that may call; "" any.
  std::string agentServiceAccount{};
  // Whether this replica serves now (the leader, with its caches synced).
  std::function<bool()> isLeader = [] { return true; };
};

class HubApi {
public:
  HubApi(HubApiOperations& operations, CallerReview& reviewer, HubApiSettings settings);

  // Thread-safe: the transport calls it from each connection's thread.
  HubApiAnswer handle(const HubApiRequest& request, reconcile::SteadyTime now);

  const HubApiSettings& settings() const { return settings_; }

private:
  struct Progress {
    bool tooLarge = false;
    bool bodyRead = false;
    std::optional<std::chrono::seconds> retryAfter{};
  };
  Result<nlohmann::json> answer(const HubApiRequest& request,
                                const Result<reconcile::HubRoute>& route, reconcile::SteadyTime now,
                                Progress& progress);

  HubApiOperations& operations_;
  CallerReview& reviewer_;
  HubApiSettings settings_;
  reconcile::RateLimiter limiter_;
  // Refused tokens (by hash): a flood of bad tokens costs one TokenReview each
  // per negativeReviewTtl, not one per request.
  reconcile::ExpiringCache<std::string> refused_;
};

// The token of "Authorization: Bearer <token>", or kUnauthenticated when the
// header is not of that form or the token is not shaped as a ServiceAccount
// token (reconcile::isJwtShaped).
[[nodiscard]] Result<std::string> bearerToken(std::string_view authorization);

// ok() when `caller` may act on namespace `ns`: its own, and, when
// `agentServiceAccount` is not empty, as that ServiceAccount. kPermissionDenied
// otherwise.
[[nodiscard]] Status checkCaller(const Caller& caller, std::string_view ns,
                                 std::string_view agentServiceAccount);

// Reads at most `limit` bytes of `stream` into `text`; false when there is more.
bool readBodyUpTo(std::istream& stream, std::size_t limit, std::string& text);

// The route's operation on a request body already read (an empty object for GET).
[[nodiscard]] Result<nlohmann::json> serveHubRoute(HubApiOperations& operations,
                                                   const reconcile::HubRoute& route,
                                                   const nlohmann::json& body,
                                                   const reconcile::HubApiLimits& limits);

} // namespace harborrobot::hub

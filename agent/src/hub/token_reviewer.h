// Who is calling the hub API: the Bearer token is a projected ServiceAccount
// token with audience harborrobot-hub, checked by a TokenReview. Answers are
// cached briefly by the token's hash (never the token itself) so an agent's
// calls cost one review per minute, not one per request.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::agent::hub {

struct Caller {
  std::string username{};       // system:serviceaccount:<ns>:<name>
  std::string ns{};             // the ServiceAccount's namespace
  std::string serviceAccount{}; // its name
};

class TokenReviewer {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  TokenReviewer(kube::Client& client, std::string audience,
                std::chrono::seconds cacheFor = std::chrono::seconds(60), Clock clock = {});

  // kUnauthenticated for a bad token; kUnavailable when the review could not be made.
  [[nodiscard]] Result<Caller> review(const SecretString& token);

private:
  kube::Client& client_;
  std::string audience_;
  std::chrono::seconds cacheFor_;
  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, std::pair<Caller, std::chrono::steady_clock::time_point>> cache_;
};

} // namespace harborrobot::agent::hub

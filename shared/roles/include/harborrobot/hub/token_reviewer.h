// Who is calling the hub API: the Bearer token is a projected ServiceAccount
// token with audience harborrobot-hub, checked by a TokenReview. Answers are
// cached briefly by the token's hash (never the token itself) so an agent's
// calls cost one review per minute, not one per request.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/hub/hub_api_operations.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::hub {

class TokenReviewer final : public CallerReview {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  TokenReviewer(kube::Client& client, std::string audience,
                std::chrono::seconds cacheFor = std::chrono::seconds(60), Clock clock = {});

  // kUnauthenticated for a bad token; kUnavailable when the review could not be made.
  [[nodiscard]] Result<Caller> review(const SecretString& token) override;

private:
  kube::Client& client_;
  std::string audience_;
  std::chrono::seconds cacheFor_;
  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, std::pair<Caller, std::chrono::steady_clock::time_point>> cache_;
};

// The TokenReview that asks the API server about `token` for `audience`.
kube::Json tokenReviewObject(const SecretString& token, std::string_view audience);

// The caller a reviewed user name stands for: only ServiceAccounts
// ("system:serviceaccount:<ns>:<name>") may call the hub; anything else is
// kUnauthenticated, with a message naming the user.
[[nodiscard]] Result<Caller> serviceAccountCaller(std::string_view username);

} // namespace harborrobot::hub

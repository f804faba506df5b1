// TokenReviewer: one TokenReview per token and minute, read into a Caller.
#include "harborrobot/hub/token_reviewer.h"

#include "harborrobot/kube/token_review.h"
#include "harborrobot/model/harbor_names.h"

namespace harborrobot::hub {

namespace {

constexpr std::string_view kServiceAccountPrefix = "system:serviceaccount:";
// Bounded: a flood of distinct tokens cannot grow memory past this.
constexpr std::size_t kMaxCached = 10000;

} // namespace

kube::Json tokenReviewObject(const SecretString& token, std::string_view audience) {
  return {{"apiVersion", "authentication.k8s.io/v1"},
          {"kind", "TokenReview"},
          {"spec", {{"token", token.reveal()}, {"audiences", {std::string(audience)}}}}};
}

Result<Caller> serviceAccountCaller(std::string_view username) {
  if (!username.starts_with(kServiceAccountPrefix)) {
    return makeError(ErrorCode::kUnauthenticated,
                     "only ServiceAccount tokens may call the hub, not " + std::string(username));
  }
  const std::string_view rest = username.substr(kServiceAccountPrefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return makeError(ErrorCode::kUnauthenticated,
                     "malformed ServiceAccount user " + std::string(username));
  }
  return Caller{std::string(username), std::string(rest.substr(0, colon)),
                std::string(rest.substr(colon + 1))};
}

TokenReviewer::TokenReviewer(kube::Client& client, std::string audience,
                             std::chrono::seconds cacheFor, Clock clock)
    : client_(client), audience_(std::move(audience)), cacheFor_(cacheFor),
      clock_(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }) {}

Result<Caller> TokenReviewer::review(const SecretString& token) {
  if (token.empty()) {
    return makeError(ErrorCode::kUnauthenticated, "no bearer token");
  }
  const std::string key = sha256Hex(token.reveal());
  const auto now = clock_();
  {
    std::lock_guard lock(mutex_);
    if (const auto found = cache_.find(key); found != cache_.end()) {
      if (found->second.second > now) {
        return found->second.first;
      }
      cache_.erase(found);
    }
  }
  auto answer = client_.call("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                             tokenReviewObject(token, audience_));
  if (!answer) {
    return makeError(ErrorCode::kUnavailable,
                     "the token review failed: " + answer.error().message());
  }
  auto reviewed = kube::reviewedUser(answer->value("status", kube::Json::object()), audience_);
  if (!reviewed) {
    return makeError(reviewed.error());
  }
  auto caller = serviceAccountCaller(reviewed->username);
  if (!caller) {
    return makeError(caller.error());
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() > kMaxCached) {
    cache_.clear();
  }
  cache_[key] = {*caller, now + cacheFor_};
  return caller;
}

} // namespace harborrobot::hub

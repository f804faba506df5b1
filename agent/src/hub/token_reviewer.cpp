#include "token_reviewer.h"

#include "harborrobot/kube/token_review.h"
#include "harborrobot/model/harbor_names.h"

namespace harborrobot::agent::hub {

namespace {

constexpr std::string_view kServiceAccountPrefix = "system:serviceaccount:";

} // namespace

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
  const kube::Json body = {{"apiVersion", "authentication.k8s.io/v1"},
                           {"kind", "TokenReview"},
                           {"spec", {{"token", token.reveal()}, {"audiences", {audience_}}}}};
  auto answer = client_.call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
  if (!answer) {
    return makeError(ErrorCode::kUnavailable,
                     "the token review failed: " + answer.error().message());
  }
  auto reviewed = kube::reviewedUser(answer->value("status", kube::Json::object()), audience_);
  if (!reviewed) {
    return makeError(reviewed.error());
  }
  const std::string username = reviewed->username;
  if (!username.starts_with(kServiceAccountPrefix)) {
    return makeError(ErrorCode::kUnauthenticated,
                     "only ServiceAccount tokens may call the hub, not " + username);
  }
  const std::string rest = username.substr(kServiceAccountPrefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string::npos) {
    return makeError(ErrorCode::kUnauthenticated, "malformed ServiceAccount user " + username);
  }
  Caller caller{username, rest.substr(0, colon), rest.substr(colon + 1)};
  std::lock_guard lock(mutex_);
  if (cache_.size() > 10000) {
    cache_.clear(); // bounded: a flood of distinct tokens cannot grow memory
  }
  cache_[key] = {caller, now + cacheFor_};
  return caller;
}

} // namespace harborrobot::agent::hub

// The hub's TokenReviewer: the ServiceAccount behind a token, from a real
// TokenReview against the in-process API server, cached by the token's hash.
#include "harborrobot/hub/token_reviewer.h"

#include <gtest/gtest.h>

#include "mocks/kube_api_server.h"

namespace harborrobot::hub {
namespace {

const std::string kAudience = "harborrobot-hub";

std::size_t reviewsSent(const testing::KubeApiServer& apiserver) {
  std::size_t count = 0;
  for (const auto& request : apiserver.requests()) {
    count += request.path == "/apis/authentication.k8s.io/v1/tokenreviews" ? 1 : 0;
  }
  return count;
}

// A token for ServiceAccount team-a/harborrobot-agent with `audience`.
std::string agentToken(testing::KubeApiServer& apiserver, const std::string& audience) {
  auto& admin = apiserver.admin();
  auto account = admin.create(kube::resources::serviceAccounts(), "team-a",
                              {{"apiVersion", "v1"},
                               {"kind", "ServiceAccount"},
                               {"metadata", {{"name", "harborrobot-agent"}}}});
  if (!account && account.error().code() != ErrorCode::kAlreadyExists) {
    throw std::runtime_error(account.error().message());
  }
  auto token =
      admin.call("POST", "/api/v1/namespaces/team-a/serviceaccounts/harborrobot-agent/token",
                 kube::Json{{"apiVersion", "authentication.k8s.io/v1"},
                            {"kind", "TokenRequest"},
                            {"spec", {{"audiences", {audience}}, {"expirationSeconds", 3600}}}});
  if (!token) {
    throw std::runtime_error(token.error().message());
  }
  return token->value("/status/token"_json_pointer, std::string());
}

TEST(TokenReviewer, NamesTheServiceAccountAndReviewsATokenOncePerMinute) {
  testing::KubeApiServer apiserver({.namespaces = {"team-a"}});
  auto now = std::chrono::steady_clock::now();
  TokenReviewer reviewer(apiserver.admin(), kAudience, std::chrono::seconds(60),
                         [&] { return now; });
  const SecretString token(agentToken(apiserver, kAudience));

  auto caller = reviewer.review(token);
  ASSERT_TRUE(caller) << caller.error().message();
  EXPECT_EQ(*caller, (Caller{"system:serviceaccount:team-a:harborrobot-agent", "team-a",
                             "harborrobot-agent"}));
  EXPECT_TRUE(reviewer.review(token));
  EXPECT_EQ(reviewsSent(apiserver), 1u);
  now += std::chrono::seconds(61);
  EXPECT_TRUE(reviewer.review(token));
  EXPECT_EQ(reviewsSent(apiserver), 2u);
}

TEST(TokenReviewer, RefusesATokenForAnotherAudience) {
  testing::KubeApiServer apiserver({.namespaces = {"team-a"}});
  TokenReviewer reviewer(apiserver.admin(), kAudience);
  auto caller = reviewer.review(SecretString(agentToken(apiserver, "someone-else")));
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code(), ErrorCode::kUnauthenticated);
}

TEST(TokenReviewer, RefusesAnEmptyTokenWithoutAReview) {
  testing::KubeApiServer apiserver;
  TokenReviewer reviewer(apiserver.admin(), kAudience);
  auto caller = reviewer.review(SecretString());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().message(), "no bearer token");
  EXPECT_EQ(reviewsSent(apiserver), 0u);
}

TEST(ServiceAccountCaller, SplitsTheUserNameIntoNamespaceAndName) {
  EXPECT_EQ(*serviceAccountCaller("system:serviceaccount:ns:agent"),
            (Caller{"system:serviceaccount:ns:agent", "ns", "agent"}));
}

TEST(ServiceAccountCaller, RefusesUsersThatAreNoServiceAccount) {
  auto user = serviceAccountCaller("jane@example.com");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(user.error().message(),
            "only ServiceAccount tokens may call the hub, not jane@example.com");
  auto malformed = serviceAccountCaller("system:serviceaccount:only-namespace");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message(),
            "malformed ServiceAccount user system:serviceaccount:only-namespace");
}

TEST(TokenReviewObject, AsksForTheAudience) {
  const auto review = tokenReviewObject(SecretString("t0k"), kAudience);
  EXPECT_EQ(review["kind"], "TokenReview");
  EXPECT_EQ(review["spec"]["token"], "t0k");
  EXPECT_EQ(review["spec"]["audiences"], kube::Json::array({kAudience}));
}

} // namespace
} // namespace harborrobot::hub

// A TokenReview's answer is trusted only when it confirms the audience asked for.
#include "harborrobot/kube/token_review.h"

#include <gtest/gtest.h>

namespace harborrobot::kube {
namespace {

const Json kUser = {{"username", "system:serviceaccount:team-ns1:harborrobot-agent"},
                    {"uid", "u-1"}};

TEST(TokenReview, AuthenticatedWithTheAudienceGivesTheUser) {
  auto user = reviewedUser(
      {{"authenticated", true}, {"user", kUser}, {"audiences", {"other", "harborrobot-hub"}}},
      "harborrobot-hub");
  ASSERT_TRUE(user) << user.error().message();
  EXPECT_EQ(user->username, "system:serviceaccount:team-ns1:harborrobot-agent");
  EXPECT_EQ(user->uid, "u-1");
}

TEST(TokenReview, AnAudienceUnawareAuthenticatorIsRefused) {
  for (const Json& status :
       {Json{{"authenticated", true}, {"user", kUser}},
        Json{{"authenticated", true}, {"user", kUser}, {"audiences", Json::array()}},
        Json{{"authenticated", true}, {"user", kUser}, {"audiences", {"https://kubernetes"}}}}) {
    auto user = reviewedUser(status, "harborrobot-hub");
    ASSERT_FALSE(user) << status.dump();
    EXPECT_EQ(user.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(user.error().message().find("did not confirm audience harborrobot-hub"),
              std::string::npos)
        << user.error().message();
  }
}

TEST(TokenReview, AnUnauthenticatedTokenCarriesTheReviewersError) {
  auto user =
      reviewedUser({{"authenticated", false}, {"error", "token has expired"}}, "harborrobot-hub");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(user.error().message(), "the token was refused: token has expired");
}

} // namespace
} // namespace harborrobot::kube

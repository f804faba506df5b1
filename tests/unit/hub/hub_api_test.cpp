// The hub API's handling of a request, with fake operations and token review:
// the order of its checks, the answer's status and body, Retry-After, the
// refused-token memory and the connection close after an unread body.
#include "harborrobot/hub/hub_api.h"

#include <sstream>

#include <gtest/gtest.h>

#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

using testing::FakeCallerReview;
using testing::FakeHubApiOperations;

const std::string kToken = "aaa.bbb.ccc";
const std::string kOtherToken = "xxx.yyy.zzz";
const reconcile::SteadyTime kNow{std::chrono::hours(1)};

HubApiRequest get(std::string path, std::string token = kToken) {
  return {.method = "GET", .path = std::move(path), .authorization = "Bearer " + token};
}

HubApiRequest withBody(std::string method, std::string path, std::string body) {
  HubApiRequest request{.method = std::move(method),
                        .path = std::move(path),
                        .authorization = "Bearer " + kToken,
                        .contentLength = static_cast<std::int64_t>(body.size())};
  request.readBody = [body](std::size_t limit, std::string& text) {
    std::istringstream stream(body);
    return readBodyUpTo(stream, limit, text);
  };
  return request;
}

struct Fixture {
  explicit Fixture(HubApiSettings settings = {}) : api(operations, reviewer, std::move(settings)) {
    reviewer.callers[kToken] = {"system:serviceaccount:team-a:harborrobot-agent", "team-a",
                                "harborrobot-agent"};
  }
  FakeHubApiOperations operations;
  FakeCallerReview reviewer;
  HubApi api;
};

nlohmann::json bodyOf(const HubApiAnswer& answer) {
  return nlohmann::json::parse(answer.body);
}

TEST(HubApi, ServesTheCallersBindings) {
  Fixture fixture;
  const auto answer = fixture.api.handle(get("/v1/namespaces/team-a/bindings"), kNow);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.routeName, "bindings");
  EXPECT_FALSE(answer.refusal);
  EXPECT_FALSE(answer.closeConnection);
  EXPECT_EQ(fixture.operations.calls, std::vector<std::string>{"bindings team-a"});
}

TEST(HubApi, AnUnknownPathIs404WithTheUnknownRouteLabel) {
  Fixture fixture;
  const auto answer = fixture.api.handle(get("/v2/anything"), kNow);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.routeName, "unknown");
  EXPECT_EQ(fixture.reviewer.reviews, 0);
}

TEST(HubApi, WithoutABearerTokenIs401BeforeAnyReview) {
  Fixture fixture;
  auto request = get("/v1/namespaces/team-a/bindings");
  request.authorization = "Basic dXNlcjpwYXNz";
  const auto answer = fixture.api.handle(request, kNow);
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(bodyOf(answer)["error"],
            "a projected ServiceAccount token is required (Authorization: Bearer)");
  EXPECT_EQ(fixture.reviewer.reviews, 0);
}

TEST(HubApi, ATokenThatIsNoJwtIs401BeforeAnyReview) {
  Fixture fixture;
  const auto answer = fixture.api.handle(get("/v1/namespaces/team-a/bindings", "not-a-jwt"), kNow);
  EXPECT_EQ(answer.status, 401);
  EXPECT_NE(answer.refusal->message().find("is not a ServiceAccount token"), std::string::npos);
  EXPECT_EQ(fixture.reviewer.reviews, 0);
}

TEST(HubApi, ARefusedTokenIsRememberedUntilTheNegativeTtl) {
  Fixture fixture;
  const auto request = get("/v1/namespaces/team-a/bindings", kOtherToken);
  EXPECT_EQ(fixture.api.handle(request, kNow).status, 401);
  const auto again = fixture.api.handle(request, kNow + std::chrono::seconds(9));
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(again.refusal->message(), "the token is not valid");
  EXPECT_EQ(fixture.reviewer.reviews, 1);
  EXPECT_EQ(fixture.api.handle(request, kNow + std::chrono::seconds(11)).status, 401);
  EXPECT_EQ(fixture.reviewer.reviews, 2);
}

TEST(HubApi, AReviewThatCouldNotRunIsNotRemembered) {
  Fixture fixture;
  fixture.reviewer.failure = Error(ErrorCode::kUnavailable, "the token review failed: down");
  const auto request = get("/v1/namespaces/team-a/bindings");
  EXPECT_EQ(fixture.api.handle(request, kNow).status, 503);
  EXPECT_EQ(fixture.api.handle(request, kNow).status, 503);
  EXPECT_EQ(fixture.reviewer.reviews, 2);
}

TEST(HubApi, ACallerActsOnlyOnItsOwnNamespace) {
  Fixture fixture;
  const auto answer = fixture.api.handle(get("/v1/namespaces/team-b/bindings"), kNow);
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.refusal->message(), "system:serviceaccount:team-a:harborrobot-agent may only "
                                       "act on namespace team-a, not team-b");
  EXPECT_TRUE(fixture.operations.calls.empty());
}

TEST(HubApi, OnlyTheAgentsServiceAccountMayCallWhenOneIsNamed) {
  Fixture fixture({.agentServiceAccount = "robot-agent"});
  const auto answer = fixture.api.handle(get("/v1/namespaces/team-a/bindings"), kNow);
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.refusal->message(), "system:serviceaccount:team-a:harborrobot-agent is not the "
                                       "agent's ServiceAccount (robot-agent)");
}

TEST(HubApi, ANamespaceOverItsRateGets429WithRetryAfter) {
  Fixture fixture({.limits = {.requestsPerSecond = 1, .burst = 2}});
  const auto request = get("/v1/namespaces/team-a/bindings");
  EXPECT_EQ(fixture.api.handle(request, kNow).status, 200);
  EXPECT_EQ(fixture.api.handle(request, kNow).status, 200);
  const auto answer = fixture.api.handle(request, kNow);
  EXPECT_EQ(answer.status, 429);
  ASSERT_TRUE(answer.retryAfter);
  EXPECT_EQ(answer.retryAfter->count(), 1);
  EXPECT_EQ(answer.refusal->message(), "namespace team-a is over its request rate; retry in 1 s");
}

TEST(HubApi, AReplicaThatDoesNotServeAnswers503) {
  Fixture fixture({.isLeader = [] { return false; }});
  const auto answer = fixture.api.handle(get("/v1/namespaces/team-a/bindings"), kNow);
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.refusal->message(), "this hub replica is not the leader; retry");
}

TEST(HubApi, IssuesACredentialFromTheRequestBody) {
  Fixture fixture;
  fixture.operations.issued = reconcile::IssuedCredential{
      .username = "robot$team+x", .secret = SecretString("s3cret"), .generation = 4};
  const auto answer =
      fixture.api.handle(withBody("POST", "/v1/namespaces/team-a/bindings/pull/credentials",
                                  R"({"rotationId":"r1","generation":4})"),
                         kNow);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.routeName, "credentials");
  EXPECT_EQ(bodyOf(answer)["username"], "robot$team+x");
  EXPECT_EQ(fixture.operations.calls, std::vector<std::string>{"issue team-a/pull 4"});
}

TEST(HubApi, ABodyThatIsNotJsonIs400) {
  Fixture fixture;
  const auto answer = fixture.api.handle(
      withBody("POST", "/v1/namespaces/team-a/bindings/pull/activation", "{nope"), kNow);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.refusal->message(), "the request body is not JSON");
  EXPECT_FALSE(answer.closeConnection); // read whole: the connection stays usable
}

TEST(HubApi, ABodyDeclaredTooLargeIs413UnreadAndClosesTheConnection) {
  Fixture fixture({.limits = {.maxBody = 8}});
  auto request = withBody("PUT", "/v1/namespaces/team-a/status", R"({"bindings":[]})");
  bool read = false;
  request.readBody = [&](std::size_t, std::string&) { return read = true; };
  const auto answer = fixture.api.handle(request, kNow);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(answer.refusal->message(), "the request body exceeds 8 bytes");
  EXPECT_FALSE(read);
  EXPECT_TRUE(answer.closeConnection);
}

TEST(HubApi, ABodyLongerThanTheLimitWhileReadIs413) {
  Fixture fixture({.limits = {.maxBody = 8}});
  auto request = withBody("PUT", "/v1/namespaces/team-a/status", R"({"bindings":[]})");
  request.contentLength.reset();
  request.chunked = true;
  const auto answer = fixture.api.handle(request, kNow);
  EXPECT_EQ(answer.status, 413);
  EXPECT_TRUE(answer.closeConnection);
}

TEST(HubApi, TheWrongMethodIsCheckedAfterTheToken) {
  Fixture fixture;
  auto wrong = get("/v1/namespaces/team-a/status");
  EXPECT_EQ(fixture.api.handle(wrong, kNow).status, 404);
  wrong.authorization = "Bearer " + kOtherToken;
  EXPECT_EQ(fixture.api.handle(wrong, kNow).status, 401);
}

TEST(HubApi, AGetWithAnUnreadBodyClosesTheConnection) {
  Fixture fixture;
  auto request = get("/v1/namespaces/team-a/bindings");
  request.contentLength = 5;
  EXPECT_TRUE(fixture.api.handle(request, kNow).closeConnection);
}

TEST(HubApi, AReportIsCappedBeforeItReachesTheService) {
  Fixture fixture({.limits = {.maxReportText = 8}});
  const auto answer = fixture.api.handle(
      withBody("PUT", "/v1/namespaces/team-a/status",
               R"({"agentVersion":"1","bindings":[{"binding":"pull","ready":false,)"
               R"("lastError":"a very long error message"}]})"),
      kNow);
  ASSERT_EQ(answer.status, 200) << answer.body;
  ASSERT_EQ(fixture.operations.reported.bindings.size(), 1u);
  EXPECT_LE(fixture.operations.reported.bindings[0].lastError.size(), 8u);
}

TEST(HubApi, AServiceErrorIsAnsweredWithItsStatus) {
  Fixture fixture;
  fixture.operations.activated =
      makeError(ErrorCode::kFailedPrecondition, "generation 9 was not issued here");
  const auto answer =
      fixture.api.handle(withBody("POST", "/v1/namespaces/team-a/bindings/pull/activation",
                                  R"({"generation":9,"rotationId":"r1"})"),
                         kNow);
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(bodyOf(answer), (nlohmann::json{{"error", "generation 9 was not issued here"}}));
}

TEST(ReadBodyUpTo, StopsPastTheLimit) {
  std::istringstream small("12345");
  std::string text;
  EXPECT_TRUE(readBodyUpTo(small, 5, text));
  EXPECT_EQ(text, "12345");
  std::istringstream large("123456");
  text.clear();
  EXPECT_FALSE(readBodyUpTo(large, 5, text));
}

TEST(BearerToken, ReturnsTheTokenAfterBearer) {
  EXPECT_EQ(*bearerToken("Bearer aaa.bbb.ccc"), "aaa.bbb.ccc");
  EXPECT_EQ(bearerToken("bearer aaa.bbb.ccc").error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(bearerToken("Bearer aaa..ccc").error().code(), ErrorCode::kUnauthenticated);
}

} // namespace
} // namespace harborrobot::hub

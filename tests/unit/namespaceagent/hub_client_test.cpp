// The namespace agent's hub calls over a scripted HTTP client: the routes, a
// token read again once after a 401, a 429 waited out a few times.
#include "harborrobot/namespaceagent/hub_client.h"

#include <gtest/gtest.h>

#include "mocks/fake_http_client.h"

namespace harborrobot::namespaceagent {
namespace {

// Hands out tok-1, tok-2, ...: a fresh one when asked after a 401.
class CountingTokens final : public kube::TokenSource {
public:
  Result<SecretString> token(bool afterUnauthorized) override {
    if (afterUnauthorized || issued == 0) {
      ++issued;
    }
    return SecretString("tok-" + std::to_string(issued));
  }
  int issued = 0;
};

struct Fixture {
  testing::FakeHttpClient http;
  CountingTokens tokens;
  std::vector<std::chrono::seconds> slept;
  HubClient hub{http, "https://hub:8443", "team-a", tokens,
                [this](std::chrono::seconds wait) { slept.push_back(wait); }};
};

TEST(HubClient, ListsBindingsOnTheNamespacesRoute) {
  Fixture fixture;
  fixture.http.answer(200, R"({"items":[]})");
  auto bindings = fixture.hub.bindings();
  ASSERT_TRUE(bindings) << bindings.error().message();
  EXPECT_TRUE(bindings->empty());
  ASSERT_EQ(fixture.http.sent.size(), 1u);
  EXPECT_EQ(fixture.http.sent[0].method, "GET");
  EXPECT_EQ(fixture.http.sent[0].url, "https://hub:8443/v1/namespaces/team-a/bindings");
}

TEST(HubClient, ActivatesWithTheGenerationAndRotationId) {
  Fixture fixture;
  fixture.http.answer(200, "{}");
  ASSERT_TRUE(fixture.hub.activate("pull", {5, "r1"}));
  EXPECT_EQ(fixture.http.sent[0].url,
            "https://hub:8443/v1/namespaces/team-a/bindings/pull/activation");
  EXPECT_EQ(nlohmann::json::parse(fixture.http.sent[0].body),
            (nlohmann::json{{"generation", 5}, {"rotationId", "r1"}}));
}

TEST(HubClient, ReadsTheTokenAgainOnceAfterA401) {
  Fixture fixture;
  fixture.http.answer(401, R"({"error":"expired"})");
  fixture.http.answer(401, R"({"error":"still refused"})");
  auto sent = fixture.hub.report({});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(sent.error().message(),
            "hub PUT /v1/namespaces/team-a/status: HTTP 401: still refused");
  ASSERT_EQ(fixture.http.sent.size(), 2u);
  EXPECT_EQ(fixture.http.sent[0].headers.at("Authorization"), "Bearer tok-1");
  EXPECT_EQ(fixture.http.sent[1].headers.at("Authorization"), "Bearer tok-2");
}

TEST(HubClient, WaitsOutThreeThrottledAnswersThenFails) {
  Fixture fixture;
  for (int i = 0; i < 4; ++i) {
    fixture.http.answer(429, R"({"error":"slow down"})", {{"Retry-After", "2"}});
  }
  auto bindings = fixture.hub.bindings();
  ASSERT_FALSE(bindings);
  EXPECT_EQ(bindings.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(fixture.slept, (std::vector<std::chrono::seconds>(3, std::chrono::seconds(2))));
  EXPECT_EQ(fixture.http.sent.size(), 4u);
}

TEST(HubClient, ATransportErrorNamesTheCall) {
  Fixture fixture;
  fixture.http.fail(ErrorCode::kDeadlineExceeded, "timed out");
  auto issued = fixture.hub.issue("pull", {"r1", 2});
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(issued.error().message(),
            "hub POST /v1/namespaces/team-a/bindings/pull/credentials: timed out");
}

} // namespace
} // namespace harborrobot::namespaceagent

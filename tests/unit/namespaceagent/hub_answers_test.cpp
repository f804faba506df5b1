// The namespace agent's reading of hub answers: the request, the 429 wait and
// the status mapping with the hub's own exceptions.
#include "harborrobot/namespaceagent/hub_answers.h"

#include <gtest/gtest.h>

namespace harborrobot::namespaceagent {
namespace {

TEST(HubRequest, CarriesTheTokenAndJson) {
  const auto request = hubRequest("PUT", "https://hub/v1/namespaces/a/status", SecretString("tok"),
                                  nlohmann::json{{"bindings", nlohmann::json::array()}});
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.headers.at("Authorization"), "Bearer tok");
  EXPECT_EQ(request.headers.at("Accept"), "application/json");
  EXPECT_EQ(request.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(request.body, R"({"bindings":[]})");
  EXPECT_EQ(request.timeout, std::chrono::seconds(30));
  const auto get = hubRequest("GET", "https://hub/x", SecretString("tok"), std::nullopt);
  EXPECT_FALSE(get.headers.contains("Content-Type"));
  EXPECT_TRUE(get.body.empty());
}

TEST(HubStatusErrorCode, ReadsTheHubsExceptionsFirst) {
  EXPECT_EQ(hubStatusErrorCode(409), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(hubStatusErrorCode(413), ErrorCode::kResourceExhausted);
  EXPECT_EQ(hubStatusErrorCode(422), ErrorCode::kUnavailable);
  EXPECT_EQ(hubStatusErrorCode(403), ErrorCode::kPermissionDenied);
  EXPECT_EQ(hubStatusErrorCode(503), ErrorCode::kUnavailable);
}

TEST(HubThrottleWait, FollowsRetryAfterWithinOneToThirtySeconds) {
  EXPECT_EQ(hubThrottleWait({}), std::chrono::seconds(1));
  EXPECT_EQ(hubThrottleWait({{"retry-after", "7"}}), std::chrono::seconds(7));
  EXPECT_EQ(hubThrottleWait({{"Retry-After", "600"}}), std::chrono::seconds(30));
  EXPECT_EQ(hubThrottleWait({{"Retry-After", "soon"}}), std::chrono::seconds(1));
}

TEST(ReadHubAnswer, ReturnsTheJsonOfA2xx) {
  auto json = readHubAnswer("GET", "/p", {200, {}, R"({"items":[]})"});
  ASSERT_TRUE(json);
  EXPECT_EQ(*json, (nlohmann::json{{"items", nlohmann::json::array()}}));
}

TEST(ReadHubAnswer, A2xxThatIsNotJsonIsTransient) {
  auto json = readHubAnswer("GET", "/p", {200, {}, "<html>"});
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(json.error().message(), "hub GET /p: the answer is not JSON");
}

TEST(ReadHubAnswer, AnErrorNamesTheCallStatusAndTheHubsMessage) {
  auto json = readHubAnswer("POST", "/p", {403, {}, R"({"error":"not yours"})"});
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(json.error().message(), "hub POST /p: HTTP 403: not yours");
  auto bare = readHubAnswer("POST", "/p", {502, {}, "Bad Gateway"});
  EXPECT_EQ(bare.error().message(), "hub POST /p: HTTP 502: no message");
}

} // namespace
} // namespace harborrobot::namespaceagent

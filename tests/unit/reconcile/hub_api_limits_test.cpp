// The hub API's limits with a fake clock: rate limits, the review cache, report caps.
#include "harborrobot/reconcile/hub_api_limits.h"

#include <gtest/gtest.h>

namespace harborrobot::reconcile {
namespace {

using namespace std::chrono;

const SteadyTime kStart = SteadyTime{} + hours(1);

TEST(RateLimiterTest, ABurstThenTheSustainedRateWithRetryAfter) {
  RateLimiter limiter(2, 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.admit("team-ns1", kStart), std::nullopt) << i;
  }
  const auto refused = limiter.admit("team-ns1", kStart);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, seconds(1)) << "one token comes back in half a second: Retry-After 1";
  EXPECT_EQ(limiter.admit("team-ns2", kStart), std::nullopt) << "namespaces are apart";
  EXPECT_EQ(limiter.admit("team-ns1", kStart + milliseconds(500)), std::nullopt);
  EXPECT_TRUE(limiter.admit("team-ns1", kStart + milliseconds(600)));
  EXPECT_EQ(limiter.admit("team-ns1", kStart + seconds(60)), std::nullopt) << "refilled";
}

TEST(RateLimiterTest, MemoryStaysBoundedAndIdleKeysAreForgotten) {
  RateLimiter limiter(1, 2, 3);
  for (const std::string key : {"a", "b", "c"}) {
    EXPECT_EQ(limiter.admit(key, kStart), std::nullopt);
  }
  EXPECT_TRUE(limiter.admit("d", kStart)) << "every known key is busy: refused, not grown";
  EXPECT_EQ(limiter.keys(), 3u);
  EXPECT_EQ(limiter.admit("d", kStart + seconds(10)), std::nullopt) << "idle keys forgotten";
  EXPECT_LE(limiter.keys(), 3u);
}

TEST(ExpiringCacheTest, PositiveAndNegativeAnswersExpireAndTheSizeIsCapped) {
  ExpiringCache<std::string> cache(2);
  cache.put("good", "team-ns1", kStart + seconds(60), kStart);
  cache.put("bad", "refused", kStart + seconds(10), kStart);
  EXPECT_EQ(cache.find("good", kStart + seconds(59)), "team-ns1");
  EXPECT_EQ(cache.find("bad", kStart + seconds(9)), "refused");
  EXPECT_EQ(cache.find("bad", kStart + seconds(10)), std::nullopt) << "expired";
  cache.put("bad2", "refused", kStart + seconds(20), kStart + seconds(11));
  cache.put("bad3", "refused", kStart + seconds(30), kStart + seconds(11));
  EXPECT_EQ(cache.size(), 2u) << "the soonest-expiring entry made room";
  EXPECT_EQ(cache.find("bad3", kStart + seconds(11)), "refused");
}

TEST(CapReportTest, StringsAreCutOnUtf8BoundariesAndLastErrorIsRedacted) {
  HubApiLimits limits;
  limits.maxReportBindings = 2;
  limits.maxReportText = 40;
  limits.maxReportWord = 8;
  AgentReport report;
  report.agentVersion = "0.1.0-a-very-long-version";
  for (int i = 0; i < 3; ++i) {
    NamespaceReport entry;
    entry.binding = "b" + std::to_string(i);
    entry.reason = "ééééééé"; // 14 bytes
    entry.lastError = "login failed: password=hunter2 " + std::string(100, 'x');
    report.bindings.push_back(entry);
  }
  EXPECT_GT(capReport(report, limits), 0u);
  ASSERT_EQ(report.bindings.size(), 2u);
  EXPECT_LE(report.agentVersion.size(), 8u);
  EXPECT_LE(report.bindings[0].reason.size(), 8u);
  EXPECT_EQ(report.bindings[0].reason, "éé…") << "never half a character";
  EXPECT_LE(report.bindings[0].lastError.size(), 40u);
  EXPECT_EQ(report.bindings[0].lastError.find("hunter2"), std::string::npos);
  EXPECT_EQ(capText("short", 8), "short");
}

TEST(IsJwtShaped, AcceptsThreeBase64UrlPartsOnly) {
  EXPECT_TRUE(isJwtShaped("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_0"));
  EXPECT_FALSE(isJwtShaped(""));
  EXPECT_FALSE(isJwtShaped("not-a-token"));
  EXPECT_FALSE(isJwtShaped("a.b")) << "two parts";
  EXPECT_FALSE(isJwtShaped("a.b.c.d")) << "four parts (a JWE has five)";
  EXPECT_FALSE(isJwtShaped("a..c")) << "an empty part";
  EXPECT_FALSE(isJwtShaped("a.b.")) << "an empty signature";
  EXPECT_FALSE(isJwtShaped("a.b=.c")) << "padding is not base64url";
  EXPECT_FALSE(isJwtShaped("a.b+/.c")) << "standard base64 letters";
  EXPECT_FALSE(isJwtShaped("a.b c.d"));
  EXPECT_TRUE(isJwtShaped(std::string(kMaxTokenBytes - 4, 'x') + ".y.z"));
  EXPECT_FALSE(isJwtShaped(std::string(kMaxTokenBytes, 'x') + ".y.z")) << "too long";
}

} // namespace
} // namespace harborrobot::reconcile

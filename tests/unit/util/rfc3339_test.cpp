#include <gtest/gtest.h>

#include "harborrobot/util/rfc3339.h"

namespace harborrobot {
namespace {

using namespace std::chrono;

TEST(Rfc3339Test, FormatsWholeSecondsInUtc) {
  const auto time =
      sys_days(year(2026) / 11 / 24) + hours(9) + minutes(48) + seconds(29) + milliseconds(900);
  EXPECT_EQ(formatRfc3339(time), "2026-11-24T09:48:29Z");
}

TEST(Rfc3339Test, ParsesWhatItFormatsAndFractionsAndOffsets) {
  const auto base = sys_days(year(2026) / 11 / 24) + hours(9) + minutes(48) + seconds(29);
  EXPECT_EQ(parseRfc3339("2026-11-24T09:48:29Z", "t"), base);
  EXPECT_EQ(parseRfc3339("2026-11-24T09:48:29.250Z", "t"), base + milliseconds(250));
  EXPECT_EQ(parseRfc3339("2026-11-24T10:48:29+01:00", "t"), base);
  EXPECT_EQ(parseRfc3339("2026-11-24T07:18:29-02:30", "t"), base);
}

TEST(Rfc3339Test, RejectsMalformedTimesNamingTheField) {
  for (const char* bad : {"", "2026-11-24", "2026-11-24 09:48:29Z", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-24T25:00:00Z", "2026-11-24T09:48:29",
                          "2026-11-24T09:48:29.Z", "2026-11-24T09:48:29+0100"}) {
    auto parsed = parseRfc3339(bad, "status.lastRefreshTime");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message().rfind("status.lastRefreshTime: ", 0), 0u)
        << parsed.error().message();
    EXPECT_NE(parsed.error().message().find("RFC 3339"), std::string::npos);
  }
}

} // namespace
} // namespace harborrobot

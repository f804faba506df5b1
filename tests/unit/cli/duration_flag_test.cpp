#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/duration_flag.h"

namespace harborrobot::cli {
namespace {

using std::chrono::milliseconds;

TEST(DurationFlag, SecondsOrAGoDuration) {
  EXPECT_EQ(parseDurationFlag("--timeout", "30").value(), milliseconds(30'000));
  EXPECT_EQ(parseDurationFlag("--timeout", "0").value(), milliseconds(0));
  EXPECT_EQ(parseDurationFlag("--timeout", "1m30s").value(), milliseconds(90'000));
  EXPECT_EQ(parseDurationFlag("--timeout", "250ms").value(), milliseconds(250));
}

TEST(DurationFlag, AnythingElseNamesTheFlagAndBothForms) {
  for (const char* bad : {"1d", "-5s", "soon", "", "12345678901"}) {
    const auto parsed = parseDurationFlag("--timeout", bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_THAT(parsed.error().message(), ::testing::StartsWith("--timeout: "));
    EXPECT_THAT(parsed.error().message(),
                ::testing::HasSubstr("(expected a number of seconds or a Go duration such as 30s, "
                                     "2m or 1h)"));
  }
}

TEST(Deadline, LeftNeverGoesBelowZero) {
  const Deadline spent(milliseconds(0));
  EXPECT_TRUE(spent.passed());
  EXPECT_EQ(spent.left(), milliseconds(0));
  const Deadline ahead(std::chrono::hours(1));
  EXPECT_FALSE(ahead.passed());
  EXPECT_GT(ahead.left(), std::chrono::minutes(59));
}

} // namespace
} // namespace harborrobot::cli

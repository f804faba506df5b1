// Go durations: the vectors of Go's own time package tests and documentation.
#include "harborrobot/util/go_duration.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kMicrosecond = 1'000;

struct ParseCase {
  std::string text;
  std::int64_t nanoseconds;
};

TEST(GoDuration, ParsesGosVectors) {
  const std::vector<ParseCase> cases = {
      {"0", 0},
      {"5s", 5 * kSecond},
      {"30s", 30 * kSecond},
      {"1478s", 1478 * kSecond},
      {"-5s", -5 * kSecond},
      {"+5s", 5 * kSecond},
      {"-0", 0},
      {"+0", 0},
      {"5.0s", 5 * kSecond},
      {"5.6s", 5 * kSecond + 600 * kMillisecond},
      {"5.s", 5 * kSecond},
      {".5s", 500 * kMillisecond},
      {"1.0s", kSecond},
      {"1.00s", kSecond},
      {"1.004s", kSecond + 4 * kMillisecond},
      {"1.0040s", kSecond + 4 * kMillisecond},
      {"100.00100s", 100 * kSecond + kMillisecond},
      {"10ns", 10},
      {"11us", 11 * kMicrosecond},
      {"12\xc2\xb5s", 12 * kMicrosecond},
      {"12\xce\xbcs", 12 * kMicrosecond},
      {"13ms", 13 * kMillisecond},
      {"14s", 14 * kSecond},
      {"15m", 15 * kMinute},
      {"16h", 16 * kHour},
      {"3h30m", 3 * kHour + 30 * kMinute},
      {"10.5s4m", 4 * kMinute + 10 * kSecond + 500 * kMillisecond},
      {"-2m3.4s", -(2 * kMinute + 3 * kSecond + 400 * kMillisecond)},
      {"1h2m3s4ms5us6ns",
       kHour + 2 * kMinute + 3 * kSecond + 4 * kMillisecond + 5 * kMicrosecond + 6},
      {"39h9m14.425s", 39 * kHour + 9 * kMinute + 14 * kSecond + 425 * kMillisecond},
      {"52763797000ns", 52763797000},
      {"0.3333333333333333333h", 20 * kMinute},
      {"9007199254740993ns", (std::int64_t{1} << 53) + 1},
      {"9223372036854775807ns", INT64_MAX},
      {"9223372036854775.807us", INT64_MAX},
      {"9223372036s854ms775us807ns", INT64_MAX},
      {"-9223372036854775808ns", INT64_MIN},
      {"-9223372036854775.808us", INT64_MIN},
      {"-9223372036s854ms775us808ns", INT64_MIN},
      {"-2562047h47m16.854775808s", INT64_MIN},
      {"0.100000000000000000000h", 6 * kMinute},
      {"0.830103483285477580700h", 49 * kMinute + 48 * kSecond + 372539827},
      // The seed's values.
      {"6h", 6 * kHour},
      {"1h30m", kHour + 30 * kMinute},
      {"90s", 90 * kSecond},
      {"2m", 2 * kMinute},
  };
  for (const auto& [text, nanoseconds] : cases) {
    const auto parsed = parseGoDuration(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message();
    EXPECT_EQ(parsed->count(), nanoseconds) << text;
  }
}

TEST(GoDuration, RejectsWithGosMessages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", R"(time: invalid duration "")"},
      {"3", R"(time: missing unit in duration "3")"},
      {"-", R"(time: invalid duration "-")"},
      {"s", R"(time: invalid duration "s")"},
      {".", R"(time: invalid duration ".")"},
      {"-.", R"(time: invalid duration "-.")"},
      {".s", R"(time: invalid duration ".s")"},
      {"+.s", R"(time: invalid duration "+.s")"},
      {"1d", R"(time: unknown unit "d" in duration "1d")"},
      {"6 hours", R"(time: unknown unit " hours" in duration "6 hours")"},
      {"\x85\x85", R"(time: invalid duration "\x85\x85")"},
      {"\xff"
       "ff",
       R"(time: invalid duration "\xffff")"},
      {"hello \xff"
       "ff world",
       R"(time: invalid duration "hello \xffff world")"},
      {"9223372036854775810ns", R"(time: invalid duration "9223372036854775810ns")"},
      {"9223372036854775808ns", R"(time: invalid duration "9223372036854775808ns")"},
      {"-9223372036854775809ns", R"(time: invalid duration "-9223372036854775809ns")"},
      {"9223372036854776us", R"(time: invalid duration "9223372036854776us")"},
      {"3000000h", R"(time: invalid duration "3000000h")"},
      {"9223372036854775807ns1ns", R"(time: invalid duration "9223372036854775807ns1ns")"},
  };
  for (const auto& [text, message] : cases) {
    const auto parsed = parseGoDuration(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message(), message);
  }
}

TEST(GoDuration, FormatsLikeDurationString) {
  const std::vector<ParseCase> cases = {
      {"0s", 0},
      {"1ns", 1},
      {"1.1\xc2\xb5s", 1100},
      {"2.2ms", 2200 * kMicrosecond},
      {"3.3s", 3300 * kMillisecond},
      {"4m5s", 4 * kMinute + 5 * kSecond},
      {"4m5.001s", 4 * kMinute + 5001 * kMillisecond},
      {"5h6m7.001s", 5 * kHour + 6 * kMinute + 7001 * kMillisecond},
      {"8m0.000000001s", 8 * kMinute + 1},
      {"2562047h47m16.854775807s", INT64_MAX},
      {"-2562047h47m16.854775808s", INT64_MIN},
      {"6h0m0s", 6 * kHour},
      {"1h30m0s", kHour + 30 * kMinute},
      {"-1.5s", -1500 * kMillisecond},
  };
  for (const auto& [text, nanoseconds] : cases) {
    EXPECT_EQ(formatGoDuration(GoDuration(nanoseconds)), text);
  }
}

TEST(GoDuration, FormattedValuesParseBack) {
  for (const std::int64_t value :
       {std::int64_t{1}, 999 * kMicrosecond, 6 * kHour + 1, INT64_MAX, INT64_MIN, -kMinute}) {
    const auto parsed = parseGoDuration(formatGoDuration(GoDuration(value)));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->count(), value);
  }
}

} // namespace
} // namespace harborrobot

// kubectl's AGE cells: every threshold of HumanDuration, and the seed's values.
#include "harborrobot/util/human_duration.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

using namespace std::chrono;

TEST(HumanDuration, EachThreshold) {
  const std::vector<std::pair<nanoseconds, std::string>> cases = {
      {-seconds(3), "<invalid>"},
      {-seconds(2), "<invalid>"},
      {-milliseconds(1500), "0s"},
      {seconds(0), "0s"},
      {seconds(45), "45s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {minutes(4) + seconds(7), "4m7s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10), "10m"},
      {minutes(95), "95m"},
      {hours(3) - seconds(1), "179m"},
      {hours(3), "3h"},
      {hours(4) + minutes(1), "4h1m"},
      {hours(8) - minutes(1), "7h59m"},
      {hours(8), "8h"},
      {hours(20), "20h"},
      {hours(47) + minutes(59), "47h"},
      {hours(48), "2d"},
      {hours(24 * 3 + 5), "3d5h"},
      {hours(24 * 8 - 1), "7d23h"},
      {hours(24 * 8), "8d"},
      {hours(13358), "556d"},
      {hours(24 * 730), "2y"},
      {hours(24 * (730 + 10)), "2y10d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 9 + 24 * 40), "9y"},
  };
  for (const auto& [age, text] : cases) {
    EXPECT_EQ(humanDuration(age), text) << age.count();
  }
}

} // namespace
} // namespace harborrobot

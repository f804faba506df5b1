// Comma-separated names, as flags and HARBORROBOT_FAILPOINTS give them.
#include "harborrobot/util/comma_list.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

TEST(CommaList, SplitsAndDropsEmptyEntries) {
  EXPECT_EQ(splitCommaList("a,b,,c,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(splitCommaList(",only"), (std::vector<std::string>{"only"}));
  EXPECT_TRUE(splitCommaList("").empty());
  EXPECT_TRUE(splitCommaList(",,").empty());
}

TEST(CommaList, KeepsSpacesAsTheyAre) {
  EXPECT_EQ(splitCommaList(" a, b"), (std::vector<std::string>{" a", " b"}));
}

} // namespace
} // namespace harborrobot

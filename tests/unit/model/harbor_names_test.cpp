// Harbor names: project validation and robot-name derivation.
#include "harborrobot/model/harbor_names.h"

#include <set>

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

TEST(HarborNames, ProjectNamesFollowHarborsPattern) {
  for (const std::string& good :
       std::vector<std::string>{"team", "team1", "a.b", "a_b-c", "0", std::string(255, 'a')}) {
    EXPECT_TRUE(validateProjectName(good, "p")) << good;
  }
  for (const std::string& bad : std::vector<std::string>{"", "Team", "-team", "team-", "a..b",
                                                         "a b", "a/b", std::string(256, 'a')}) {
    EXPECT_FALSE(validateProjectName(bad, "p")) << bad;
  }
}

TEST(HarborNames, RobotNamesAreBindingNamespaceAndAStableHash) {
  const RobotNameInput input{"harbor-secret-for-team", "team-ns1", "cluster-uid", "binding-uid", 1};
  const std::string name = robotNameFor(input);
  EXPECT_EQ(name.rfind("harbor-secret-for-team-team-ns1-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("harbor-secret-for-team-team-ns1-").size() + 16)
      << "64 bits of hash";
  EXPECT_TRUE(isValidRobotName(name));
  EXPECT_EQ(robotNameFor(input), name) << "deterministic";
  RobotNameInput next = input;
  next.generation = 2;
  EXPECT_NE(robotNameFor(next), name) << "each generation gets its own robot";
  RobotNameInput otherNamespace = input;
  otherNamespace.ns = "team-ns2";
  EXPECT_NE(robotNameFor(otherNamespace), name);
}

TEST(HarborNames, LongNamesAreCappedAndStayValidAndDistinct) {
  const std::string binding = "a-very-long-binding-name.with.dots-" + std::string(150, 'x');
  std::set<std::string> names;
  for (int generation = 1; generation <= 50; ++generation) {
    const std::string name =
        robotNameFor({binding, "team-ns-" + std::string(50, 'n'), "c", "u", generation});
    EXPECT_LE(name.size(), kMaxRobotNameLength);
    EXPECT_TRUE(isValidRobotName(name)) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 50u);
}

TEST(HarborNames, TheShortestRoomStillHoldsTheWholeHash) {
  for (std::size_t room : {std::size_t{0}, kMinRobotNameLength, kMinRobotNameLength + 1,
                           kMinRobotNameLength + 2, std::size_t{20}}) {
    const std::string name =
        robotNameFor({"harbor-secret-for-team", "team-ns1", "c", "u", 1, room});
    EXPECT_LE(name.size(), std::max(room, kMinRobotNameLength)) << room;
    EXPECT_GE(name.size(), kRobotNameHashDigits) << room;
    EXPECT_TRUE(isValidRobotName(name)) << name;
  }
}

TEST(HarborNames, SeparatorRunsFromNamesAreCollapsed) {
  // A binding "a.b" and namespace "c" give "a.b-c-…", always valid for Harbor.
  const std::string name = robotNameFor({"a.b", "c", "x", "y", 1});
  EXPECT_EQ(name.substr(0, 6), "a.b-c-");
  EXPECT_TRUE(isValidRobotName(name));
}

} // namespace
} // namespace harborrobot

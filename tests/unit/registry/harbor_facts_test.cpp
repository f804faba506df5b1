// Harbor's rules as the core states them: versions, administrators, read-only
// mode, the stored robot name's column, permissions by version, the `q` encoding
// and the connection verdict.
#include "harborrobot/registry/harbor_facts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/model/harbor_names.h"

namespace harborrobot::registry {
namespace {

using ::testing::HasSubstr;

TEST(HarborVersion, ReadsWhatSysteminfoTells) {
  const auto full = parseHarborVersion("v2.12.2-73072d0d");
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ(*full, (HarborVersion{2, 12, 2}));
  EXPECT_EQ(*parseHarborVersion("2.14"), (HarborVersion{2, 14, 0}));
  EXPECT_EQ(*parseHarborVersion("v2.15.0-rc1"), (HarborVersion{2, 15, 0}));
  const auto bad = parseHarborVersion("two.twelve");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "harbor_version: \"two.twelve\" is not a Harbor version "
                                   "(expected e.g. v2.12.2-73072d0d or 2.14.0)");
  EXPECT_FALSE(parseHarborVersion("v2.12x"));
  EXPECT_TRUE(isSupportedHarborVersion("v2.12.0-abc"));
  EXPECT_FALSE(isSupportedHarborVersion("v2.11.9-abc"));
}

TEST(HarborAdministrator, SysadminFlagOrAnAdministratorsGroup) {
  EXPECT_TRUE(isHarborAdministrator({{"sysadmin_flag", true}, {"admin_role_in_auth", false}}));
  EXPECT_TRUE(isHarborAdministrator({{"sysadmin_flag", false}, {"admin_role_in_auth", true}}));
  EXPECT_FALSE(isHarborAdministrator({{"sysadmin_flag", false}, {"admin_role_in_auth", false}}));
  EXPECT_FALSE(isHarborAdministrator(nlohmann::json::object()));
}

TEST(HarborReadOnly, RecognisesTheMiddlewaresRefusal) {
  const std::string body =
      R"({"errors":[{"code":"DENIED","message":"The system is in read only mode. Any modification is prohibited."}]})";
  EXPECT_TRUE(isReadOnlyRefusal(403, body));
  EXPECT_FALSE(
      isReadOnlyRefusal(403, R"({"errors":[{"code":"FORBIDDEN","message":"forbidden"}]})"));
  EXPECT_FALSE(isReadOnlyRefusal(500, body));
  EXPECT_TRUE(isReadOnlyError(Error(ErrorCode::kUnavailable, "POST /x: HTTP 403 DENIED: " + body)));
  EXPECT_FALSE(isReadOnlyError(Error(ErrorCode::kPermissionDenied, body)));
}

TEST(HarborStoredRobotName, LeavesRoomOrNamesTheProject) {
  EXPECT_EQ(*robotNameRoom("team", 16), 250u);
  EXPECT_EQ(*robotNameRoom(std::string(238, 'p'), 16), 16u);
  const auto tooLong = robotNameRoom(std::string(239, 'p'), 16);
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(tooLong.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(tooLong.error().message(),
              HasSubstr("is 239 characters long: Harbor stores each robot as <project>+<name> in "
                        "255 characters, which leaves 15 for the robot's name (expected a project "
                        "name of at most 238 characters)"));
  EXPECT_THAT(tooLong.error().message(), HasSubstr("spec.harbor.project: \"ppp"));
}

TEST(HarborStoredRobotName, RobotNamesShrinkToTheRoomLeft) {
  RobotNameInput input{"harbor-secret-for-team", "a-rather-long-namespace-name-for-a-team", "c",
                       "uid", 3};
  // Cut to the room left; a separator at the cut is dropped (Harbor's pattern).
  EXPECT_LE(robotNameFor(input).size(), kMaxRobotNameLength);
  EXPECT_GE(robotNameFor(input).size(), kMaxRobotNameLength - 1);
  input.maxLength = 20;
  const std::string shortened = robotNameFor(input);
  EXPECT_EQ(shortened.size(), 20u);
  EXPECT_TRUE(isValidRobotName(shortened)) << shortened;
  input.maxLength = 3; // never below the minimum
  EXPECT_EQ(robotNameFor(input).size(), kMinRobotNameLength);
}

TEST(HarborPermissions, ExportCveNeeds2121) {
  const std::vector<RobotAccess> access = {{"pull", "repository"}, {"create", "export-cve"}};
  const auto old = checkAccessForVersion(access, {2, 12, 0});
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().message(),
            "spec.harbor.robot.access: export-cve:create is a project permission from Harbor "
            "2.12.1 on; the connected Harbor is 2.12.0");
  EXPECT_TRUE(checkAccessForVersion(access, {2, 12, 1}));
  EXPECT_TRUE(checkAccessForVersion({{"pull", "repository"}}, {2, 12, 0}));
}

TEST(HarborQuery, EncodesTwiceForHarborsDoubleDecoding) {
  EXPECT_EQ(harborQueryParameter({{"Level", "project"}, {"ProjectID", "7"}}),
            "Level%3Dproject%2CProjectID%3D7");
  // NOTES §3: a "+" in a stored name travels as %252B.
  EXPECT_EQ(harborQueryParameter({{"name", "myproj+ci"}}), "name%3Dmyproj%252Bci");
}

plugin::ServerInfo harbor(std::string version, bool admin = true, bool robot = false,
                          bool readOnly = false) {
  return {"Harbor", std::move(version), admin, robot, readOnly};
}

TEST(ConnectionVerdict, OneVerdictForHubAndPlugin) {
  auto verdict = judgeConnection("https://h", "admin", harbor("v2.12.2-1"));
  EXPECT_TRUE(verdict.usable);
  EXPECT_TRUE(verdict.verified());
  EXPECT_EQ(verdict.reason, "ConnectionVerified");
  EXPECT_EQ(verdict.message, "https://h answers as Harbor v2.12.2-1; admin is an administrator");
  EXPECT_EQ(judgeConnection("https://h", "admin", harbor("v2.12.2-1", false)).reason,
            "HarborUserNotAdmin");
  EXPECT_EQ(judgeConnection("https://h", "robot$ops", harbor("v2.12.2-1", false, true)).message,
            "robot$ops is a robot account; harborrobot needs a Harbor administrator");
  EXPECT_EQ(judgeConnection("https://h", "admin", harbor("v2.11.0-1")).reason,
            "HarborVersionUnsupported");
  EXPECT_EQ(judgeConnection("https://h", "admin", harbor("")).reason, "HarborVersionUnsupported");
}

TEST(ConnectionVerdict, ReadOnlyHarborIsUsableButSaysSo) {
  const auto verdict = judgeConnection("https://h", "admin", harbor("v2.13.0", true, false, true));
  EXPECT_TRUE(verdict.usable);
  EXPECT_FALSE(verdict.verified());
  EXPECT_EQ(verdict.reason, "HarborReadOnly");
  EXPECT_EQ(verdict.message, "https://h is in read-only mode: no robot is created or deleted "
                             "until it ends; every Secret in place stays");
}

TEST(ConnectionVerdict, AnUnansweredCheckSaysWhy) {
  const auto refused = judgeConnection(
      "https://h", "admin",
      Result<plugin::ServerInfo>(makeError(ErrorCode::kUnauthenticated, "credentials refused")));
  EXPECT_FALSE(refused.usable);
  EXPECT_EQ(refused.reason, "HarborAuthenticationFailed");
  EXPECT_EQ(refused.message, "https://h: credentials refused");
  const auto down = judgeConnection(
      "https://h", "admin",
      Result<plugin::ServerInfo>(makeError(ErrorCode::kUnavailable, "connection refused")));
  EXPECT_EQ(down.reason, "HarborUnreachable");
  EXPECT_EQ(down.message, "https://h: connection refused");
}

} // namespace
} // namespace harborrobot::registry

// NOTES.md §3 and §4 as the simulator applies them.
#include <gtest/gtest.h>

#include "robot_rules.h"

namespace harborrobot::harborsim {
namespace {

using nlohmann::json;

json robotBody() {
  return json::parse(R"({"name":"ci","level":"project","duration":30,
    "permissions":[{"kind":"project","namespace":"team",
                    "access":[{"resource":"repository","action":"pull"}]}]})");
}

TEST(RobotRequest, AValidProjectRobotParses) {
  auto request = parseRobotRequest(robotBody(), {}, false);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->permissions.at(0).ns, "team");
  EXPECT_EQ(request->permissions.at(0).access.at(0), (RobotAccess{"repository", "pull", ""}));
}

TEST(RobotRequest, ChecksRunInHarborsOrder) {
  json body = robotBody();
  body["name"] = "CI";
  body["duration"] = 0; // also wrong, but the name is checked first
  auto refused = parseRobotRequest(body, {}, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_NE(refused.error().message.find("illegal characters"), std::string::npos);
  body["name"] = "ci";
  EXPECT_NE(parseRobotRequest(body, {}, false).error().message.find("duration"), std::string::npos);
  body.erase("duration");
  EXPECT_EQ(parseRobotRequest(body, {}, false).error().status, 400) << "omitted duration (2.11+)";
  EXPECT_TRUE(parseRobotRequest(body, {}, true)) << "PUT keeps the current duration";
}

TEST(RobotRequest, PairsOutsideTheTableAreRefusedAndTypesAre422) {
  json body = robotBody();
  body["permissions"][0]["access"][0]["action"] = "fly";
  EXPECT_EQ(parseRobotRequest(body, {}, false).error().message,
            "bad request permission: repository:fly");
  body = robotBody();
  body["duration"] = "30";
  EXPECT_EQ(parseRobotRequest(body, {}, false).error().status, 422);
  body = robotBody();
  body["permissions"].push_back(body["permissions"][0]);
  EXPECT_EQ(parseRobotRequest(body, {}, false).error().status, 400)
      << "a project robot has one permission entry";
}

TEST(RobotPairs, FollowTheVersionHistory) {
  EXPECT_FALSE(validRobotPair({11, 0}, "project", "robot", "create"));
  EXPECT_TRUE(validRobotPair({12, 0}, "project", "robot", "create"));
  EXPECT_FALSE(validRobotPair({12, 0}, "project", "robot", "update"));
  EXPECT_TRUE(validRobotPair({12, 0}, "system", "export-cve", "read"));
  EXPECT_FALSE(validRobotPair({12, 1}, "system", "export-cve", "read"));
  EXPECT_TRUE(validRobotPair({12, 1}, "project", "export-cve", "read"));
}

TEST(RobotSecret, GeneratedSecretsHaveEveryClassAndSuppliedOnesAreChecked) {
  unsigned char next = 0;
  const std::string secret = generateRobotSecret([&] { return next++; });
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_TRUE(acceptableRobotSecret(secret));
  EXPECT_FALSE(acceptableRobotSecret("Short1"));
  EXPECT_FALSE(acceptableRobotSecret("alllowercase1"));
  EXPECT_FALSE(acceptableRobotSecret(std::string(129, 'a') + "A1"));
  EXPECT_TRUE(acceptableRobotSecret("Passw0rdPassw0rd"));
}

TEST(RobotQuery, ParsesEveryFormAndTheDoubleDecodedPlus) {
  const std::string q = urlDecode(urlDecode("name=myproj%252Bci,disabled=false,level=~sys"));
  auto terms = parseRobotQuery(q);
  ASSERT_TRUE(terms);
  ASSERT_EQ(terms->size(), 3u);
  EXPECT_EQ(terms->at(0).values.at(0), "myproj+ci");
  EXPECT_EQ(terms->at(2).match, QueryTerm::Match::kFuzzy);
  auto ranges = parseRobotQuery("id=[1~9],name={a b},tag=(x y)");
  ASSERT_TRUE(ranges);
  EXPECT_EQ(ranges->at(0).values, (std::vector<std::string>{"1", "9"}));
  EXPECT_EQ(ranges->at(1).match, QueryTerm::Match::kAnyOf);
  EXPECT_EQ(ranges->at(2).values, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(parseRobotQuery("novalue"));
  EXPECT_FALSE(parseRobotQuery("id=[19]"));
}

std::vector<RobotPermission> scope(const std::string& kind, const std::string& ns,
                                   std::vector<RobotAccess> access) {
  return {{kind, ns, std::move(access)}};
}

TEST(CreatorScope, ARobotHandsOutOnlyWhatItHoldsLiterally) {
  const HarborVersion v215{15, 0};
  const auto creator =
      scope("project", "team", {{"repository", "pull", ""}, {"robot", "create", ""}});
  EXPECT_TRUE(withinCreatorScope(v215, "project", creator, "project",
                                 scope("project", "team", {{"repository", "pull", ""}})));
  EXPECT_FALSE(withinCreatorScope(v215, "project", creator, "project",
                                  scope("project", "team", {{"repository", "push", ""}})))
      << "an action the creator lacks";
  EXPECT_FALSE(withinCreatorScope(v215, "project", creator, "project",
                                  scope("project", "team", {{"repository", "pull", "deny"}})))
      << "the effect must match literally";
  EXPECT_FALSE(withinCreatorScope(v215, "project", creator, "project",
                                  scope("project", "other", {{"repository", "pull", ""}})))
      << "another namespace";
}

TEST(CreatorScope, StarNamespacesCountFrom2121AndSystemCreatorsFrom2141) {
  const auto creator = scope("project", "*", {{"repository", "pull", ""}});
  const auto wanted = scope("project", "team", {{"repository", "pull", ""}});
  EXPECT_FALSE(withinCreatorScope({12, 0}, "system", creator, "system", wanted));
  EXPECT_TRUE(withinCreatorScope({12, 1}, "system", creator, "system", wanted));
  EXPECT_FALSE(withinCreatorScope({14, 0}, "system", creator, "project", wanted))
      << "2.12.0-2.14.0 refused project robots made by system robots";
  EXPECT_TRUE(withinCreatorScope({14, 1}, "system", creator, "project", wanted));
}

} // namespace
} // namespace harborrobot::harborsim

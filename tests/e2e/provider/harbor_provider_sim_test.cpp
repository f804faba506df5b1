// The harbor provider plugin against the Harbor simulator: the calls the hub
// makes (server info, project, robot create/list/delete, verification through
// the token service), with the answers a real Harbor gives, per version.
#include <algorithm>

#include <gtest/gtest.h>

#include "harborrobot/http/https_client.h"
#include "harborrobot/plugin/host.h"
#include "mocks/harbor_sim_process.h"

namespace harborrobot::plugin {
namespace {

class HarborProviderAgainstSimulator : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    ASSERT_TRUE(host_.load(std::string(HARBORROBOT_PLUGIN_DIR) + "/provider-harbor.so"));
  }
  Instance<Provider> provider(const std::string& user, const std::string& password) {
    auto made =
        host_.makeProvider("harbor", {harbor_.url(), user, SecretString(password)}, client_);
    EXPECT_TRUE(made) << made.error().message();
    return std::move(*made);
  }
  static http::ClientOptions clientOptions(const testing::HarborSimProcess& harbor) {
    http::ClientOptions options;
    options.tls.caPem = harbor.caPem();
    return options;
  }

  Host host_;
  testing::HarborSimProcess harbor_{HARBORROBOT_HARBOR_SIM,
                                    {"--registry", "none", "--version", GetParam()}};
  http::HttpsClient client_{clientOptions(harbor_)};
};

CredentialRequest pullRobot(const std::string& name) {
  return {"team",
          name,
          "harborrobot:owner=demo/app",
          {{"repository", "pull"}},
          std::chrono::hours(24 * 7)};
}

TEST_P(HarborProviderAgainstSimulator, ServerInfoTellsAnAdminFromBadCredentials) {
  auto admin = provider("admin", "Harbor12345")->serverInfo();
  ASSERT_TRUE(admin) << admin.error().message();
  EXPECT_TRUE(admin->userIsAdmin);
  EXPECT_EQ(admin->version.substr(0, 5), "v" + GetParam().substr(0, 4));
  auto wrong = provider("admin", "not-the-password")->serverInfo();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message().find("not-the-password"), std::string::npos);
  auto admin2 = provider("admin", "Harbor12345");
  ASSERT_TRUE(admin2->ensureProject("team"));
  auto robot = admin2->createCredential(pullRobot("probe"));
  ASSERT_TRUE(robot) << robot.error().message();
  auto asRobot = provider(robot->username, std::string(robot->secret.reveal()))->serverInfo();
  ASSERT_TRUE(asRobot) << asRobot.error().message();
  EXPECT_TRUE(asRobot->userIsRobot) << "Harbor answers 412 to robots on /users/current";
  EXPECT_FALSE(asRobot->userIsAdmin);
}

TEST_P(HarborProviderAgainstSimulator, RobotLifecycleAsTheHubRunsIt) {
  auto admin = provider("admin", "Harbor12345");
  auto created = admin->ensureProject("team");
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(*created);
  auto again = admin->ensureProject("team");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(*again) << "the second call finds the project";

  auto robot = admin->createCredential(pullRobot("binding-demo-1"));
  ASSERT_TRUE(robot) << robot.error().message();
  EXPECT_EQ(robot->username, "robot$team+binding-demo-1");
  ASSERT_TRUE(robot->expiresAt.has_value()) << "a lifetime gives an expiry";

  auto listed = admin->listCredentials("team", "harborrobot:");
  ASSERT_TRUE(listed) << listed.error().message();
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().id, robot->id);
  EXPECT_EQ(listed->front().username, robot->username);
  auto others = admin->listCredentials("team", "someone-else:");
  ASSERT_TRUE(others);
  EXPECT_TRUE(others->empty()) << "the description prefix filters";

  auto verified =
      admin->verifyCredential("team", robot->username, robot->secret, {{"repository", "pull"}});
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_TRUE(verified->accepted) << verified->detail;
  EXPECT_EQ(verified->granted, (std::vector<Permission>{{"repository", "pull"}}));
  auto wantsPush =
      admin->verifyCredential("team", robot->username, robot->secret, {{"repository", "push"}});
  ASSERT_TRUE(wantsPush);
  EXPECT_FALSE(wantsPush->accepted) << "a credential lacking an expected action fails";
  EXPECT_EQ(wantsPush->detail,
            "Harbor accepts " + robot->username + " but its token grants [pull] on team, not push");

  auto duplicate = admin->createCredential(pullRobot("binding-demo-1"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kAlreadyExists) << duplicate.error().message();

  ASSERT_TRUE(admin->deleteCredential("team", robot->id));
  EXPECT_TRUE(admin->deleteCredential("team", robot->id)) << "deleting twice succeeds";
  auto afterDelete =
      admin->verifyCredential("team", robot->username, robot->secret, {{"repository", "pull"}});
  ASSERT_TRUE(afterDelete) << afterDelete.error().message();
  EXPECT_FALSE(afterDelete->accepted) << "a deleted robot is anonymous";
  EXPECT_NE(afterDelete->detail.find("anonymous"), std::string::npos) << afterDelete->detail;
}

TEST_P(HarborProviderAgainstSimulator, InvalidRequestsComeBackAsClearErrors) {
  auto admin = provider("admin", "Harbor12345");
  ASSERT_TRUE(admin->ensureProject("team"));
  auto badName = admin->createCredential(pullRobot("Not_Valid"));
  ASSERT_FALSE(badName);
  EXPECT_EQ(badName.error().code(), ErrorCode::kInvalidArgument) << badName.error().message();
  auto missing = admin->createCredential({"nope", "x", "d", {{"repository", "pull"}}, {}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound) << missing.error().message();
}

INSTANTIATE_TEST_SUITE_P(HarborVersions, HarborProviderAgainstSimulator,
                         ::testing::Values("2.12", "2.13", "2.14", "2.15"), [](const auto& info) {
                           std::string name = "v" + info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

} // namespace
} // namespace harborrobot::plugin

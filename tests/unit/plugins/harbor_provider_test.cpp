// The Harbor provider plugin, loaded through the host, against an HTTPS server
// answering as Harbor 2.12 does (NOTES.md): the requests it makes and how it reads
// the answers, including anonymous fallbacks and Harbor's error bodies.
#include <mutex>

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/curl_client.h"
#include "harborrobot/plugin/host.h"
#include "mocks/https_test_server.h"

namespace harborrobot::plugin {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string base64Url(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << text;
  encoder.close();
  return out.str();
}

std::string jwtFor(const std::string& subject, const std::vector<std::string>& actions) {
  const Json claims = {{"iss", "harbor-token-issuer"},
                       {"sub", subject},
                       {"access", Json::array({{{"type", "repository"},
                                                {"name", "team/harborrobot-verify"},
                                                {"actions", actions}}})}};
  return base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64Url(claims.dump()) + ".sig";
}

class FakeHarbor {
public:
  FakeHarbor()
      : server_([this](Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response,
                       auto&) { serve(request, response); }) {}

  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  http::ClientOptions clientOptions() const {
    http::ClientOptions options;
    options.tls.caPem = server_.authority().ca().certificatePem;
    return options;
  }
  std::string url() const { return server_.url(); }
  bool projectExists = false;

private:
  void reply(Poco::Net::HTTPServerResponse& response, int status, const std::string& body) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json; charset=utf-8");
    response.send() << body;
  }
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::string user;
    std::string password;
    if (request.hasCredentials()) {
      Poco::Net::HTTPBasicCredentials credentials(request);
      user = credentials.getUsername();
      password = credentials.getPassword();
    }
    const std::string uri = request.getURI();
    const std::string method = request.getMethod();
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(method + " " + uri + (body.empty() ? "" : " " + body));
    }
    const bool admin = user == "admin" && password == "Harbor12345";
    if (uri == "/api/v2.0/systeminfo") {
      reply(response, 200,
            admin || user.starts_with("robot$")
                ? R"({"auth_mode":"db_auth","harbor_version":"v2.12.2-73072d0d"})"
                : R"({"auth_mode":"db_auth"})");
    } else if (uri == "/api/v2.0/users/current") {
      if (user.starts_with("robot$")) {
        reply(response, 412,
              R"({"errors":[{"code":"PRECONDITION","message":"robot"}]})"
              "\n");
      } else {
        reply(response, 200, R"({"username":"admin","sysadmin_flag":true})");
      }
    } else if (method == "HEAD" && uri == "/api/v2.0/projects?project_name=team") {
      response.setStatus(projectExists ? Poco::Net::HTTPResponse::HTTP_OK
                                       : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      response.send();
    } else if (method == "POST" && uri == "/api/v2.0/projects") {
      projectExists = true;
      response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
      response.set("Location", "/api/v2.0/projects/7");
      response.send();
    } else if (uri == "/api/v2.0/projects/team") {
      reply(response, 200, R"({"project_id":7,"name":"team"})");
    } else if (method == "POST" && uri == "/api/v2.0/robots") {
      if (Json::parse(body)["name"] == "taken") {
        reply(
            response, 409,
            R"({"errors":[{"code":"CONFLICT","message":"robot account 7:team+taken already exists"}]})"
            "\n");
        return;
      }
      reply(
          response, 201,
          R"({"id":41,"name":"robot$team+b-ns-1","secret":"s3cretS3cretS3cretS3cretS3cret12","creation_time":"2025-05-15T10:33:41.123Z","expires_at":1747910021})");
    } else if (method == "GET" && uri.starts_with("/api/v2.0/robots?Level=project&ProjectID=7")) {
      reply(
          response, 200,
          R"([{"id":41,"name":"robot$team+b-ns-1","description":"managed-by=harborrobot; x","disable":false,"expires_at":-1,"creation_time":"2025-05-15T10:33:41.123Z"},)"
          R"({"id":42,"name":"robot$team+ci","description":"made by hand","expires_at":-1,"creation_time":"2025-05-15T10:33:41Z"}])");
    } else if (method == "DELETE" && uri == "/api/v2.0/robots/41") {
      reply(response, 200, "");
    } else if (method == "DELETE") {
      reply(response, 404, R"({"errors":[{"code":"NOT_FOUND","message":"robot 99 not found"}]})");
    } else if (uri.starts_with("/service/token")) {
      const bool good = user == "robot$team+b-ns-1" && password == "good";
      reply(response, 200,
            Json{{"token", good ? jwtFor(user, {"pull"}) : jwtFor("", {})}, {"expires_in", 1800}}
                .dump());
    } else {
      reply(response, 404, R"({"errors":[{"code":"NOT_FOUND","message":"resource not found"}]})");
    }
  }

  std::mutex mutex_;
  std::vector<std::string> requests_;
  testing::HttpsTestServer server_;
};

class HarborProviderTest : public ::testing::Test {
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

  Host host_;
  FakeHarbor harbor_;
  http::CurlClient client_{harbor_.clientOptions()};
};

TEST_F(HarborProviderTest, ServerInfoTellsAdminsRobotsAndRefusedCredentials) {
  auto admin = provider("admin", "Harbor12345")->serverInfo();
  ASSERT_TRUE(admin) << admin.error().message();
  EXPECT_EQ(admin->version, "v2.12.2-73072d0d");
  EXPECT_TRUE(admin->userIsAdmin);
  EXPECT_FALSE(admin->userIsRobot);
  auto robot = provider("robot$ops", "x")->serverInfo();
  ASSERT_TRUE(robot);
  EXPECT_TRUE(robot->userIsRobot);
  auto wrong = provider("admin", "wrong")->serverInfo();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(),
            "Harbor at " + harbor_.url() +
                " did not accept the credentials of user \"admin\" (it answered as to an "
                "anonymous caller)");
  EXPECT_THAT(wrong.error().message(), ::testing::Not(HasSubstr("wrong")));
}

TEST_F(HarborProviderTest, EnsureProjectCreatesOnceAsPrivate) {
  auto p = provider("admin", "Harbor12345");
  auto first = p->ensureProject("team");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(*first);
  auto second = p->ensureProject("team");
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_THAT(
      harbor_.requests(),
      ElementsAre(
          "HEAD /api/v2.0/projects?project_name=team",
          R"(POST /api/v2.0/projects {"metadata":{"public":"false"},"project_name":"team"})",
          "HEAD /api/v2.0/projects?project_name=team"));
}

TEST_F(HarborProviderTest, CreatesAProjectRobotWithDurationInDays) {
  auto created = provider("admin", "Harbor12345")
                     ->createCredential({"team",
                                         "b-ns-1",
                                         "managed-by=harborrobot; x",
                                         {{"repository", "pull"}},
                                         std::chrono::hours(25)});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->id, 41);
  EXPECT_EQ(created->username, "robot$team+b-ns-1");
  EXPECT_EQ(created->secret.reveal(), "s3cretS3cretS3cretS3cretS3cret12");
  ASSERT_TRUE(created->expiresAt);
  EXPECT_THAT(
      harbor_.requests().back(),
      HasSubstr(
          R"({"description":"managed-by=harborrobot; x","duration":2,"level":"project","name":"b-ns-1","permissions":[{"access":[{"action":"pull","resource":"repository"}],"kind":"project","namespace":"team"}]})"));
}

TEST_F(HarborProviderTest, HarborErrorsKeepHarborsMessageAndCode) {
  auto taken = provider("admin", "Harbor12345")
                   ->createCredential({"team", "taken", "d", {{"repository", "pull"}}, {}});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(taken.error().message(), "POST /api/v2.0/robots: HTTP 409 CONFLICT: robot account "
                                     "7:team+taken already exists");
}

TEST_F(HarborProviderTest, ListsOnlyRobotsWithTheMarkerPrefix) {
  auto ours = provider("admin", "Harbor12345")->listCredentials("team", "managed-by=harborrobot;");
  ASSERT_TRUE(ours) << ours.error().message();
  ASSERT_EQ(ours->size(), 1u);
  EXPECT_EQ((*ours)[0].id, 41);
  EXPECT_FALSE((*ours)[0].expiresAt);
  EXPECT_EQ((*ours)[0].createdAt.time_since_epoch(), std::chrono::milliseconds(1747305221123LL));
}

TEST_F(HarborProviderTest, DeletingAGoneRobotSucceeds) {
  auto p = provider("admin", "Harbor12345");
  EXPECT_TRUE(p->deleteCredential("team", 41));
  EXPECT_TRUE(p->deleteCredential("team", 99));
}

TEST_F(HarborProviderTest, VerifiesThroughTheTokenService) {
  auto p = provider("admin", "Harbor12345");
  auto good = p->verifyCredential("team", "robot$team+b-ns-1", SecretString("good"),
                                  {{"repository", "pull"}});
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_TRUE(good->accepted);
  EXPECT_EQ(good->detail, "accepted; granted pull");
  auto push = p->verifyCredential("team", "robot$team+b-ns-1", SecretString("good"),
                                  {{"repository", "pull"}, {"repository", "push"}});
  ASSERT_TRUE(push);
  EXPECT_FALSE(push->accepted);
  EXPECT_EQ(push->detail, "accepted, but not granted push");
  auto stale = p->verifyCredential("team", "robot$team+b-ns-1", SecretString("old"),
                                   {{"repository", "pull"}});
  ASSERT_TRUE(stale);
  EXPECT_FALSE(stale->accepted);
  EXPECT_THAT(stale->detail, HasSubstr("anonymous"));
  EXPECT_THAT(harbor_.requests().back(),
              HasSubstr("/service/"
                        "token?service=harbor-registry&scope=repository%3Ateam%2Fharborrobot-"
                        "verify%3Apull%2Cpush%2Cdelete"));
}

TEST_F(HarborProviderTest, RefusesANonHttpUrl) {
  auto made = host_.makeProvider("harbor", {"ftp://harbor", "admin", SecretString("x")}, client_);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message(), "provider \"harbor\": url: \"ftp://harbor\" is not an http(s) "
                                    "URL (expected e.g. https://harbor.example.com)");
}

} // namespace
} // namespace harborrobot::plugin

// The Harbor provider plugin, loaded through the host, against an HTTPS server
// answering as Harbor 2.12 does (NOTES.md): the requests it makes and how it reads
// the answers, including anonymous fallbacks and Harbor's error bodies.
#include <atomic>
#include <chrono>
#include <mutex>

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/https_client.h"
#include "harborrobot/plugin/host.h"
#include "mocks/harbor_token.h"
#include "mocks/https_test_server.h"

namespace harborrobot::plugin {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string jwtFor(const std::string& subject, const std::vector<std::string>& actions) {
  return testing::harborJwt(subject, actions);
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
  // When each request arrived, in order.
  std::vector<std::chrono::steady_clock::time_point> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  std::atomic<bool> projectExists = false;
  std::atomic<bool> readOnly = false;
  // Robots of project 7 beyond the two fixed ones, to page through.
  std::atomic<int> extraRobots = 0;

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
      arrivals_.push_back(std::chrono::steady_clock::now());
    }
    const bool groupAdmin = user == "ldap-admin" && password == "Harbor12345";
    const bool admin = (user == "admin" && password == "Harbor12345") || groupAdmin;
    if (readOnly && method != "GET" && method != "HEAD") {
      // src/server/middleware/readonly/readonly.go
      reply(
          response, 403,
          R"({"errors":[{"code":"DENIED","message":"The system is in read only mode. Any modification is prohibited."}]})"
          "\n");
    } else if (uri == "/api/v2.0/systeminfo") {
      // Anonymous callers (a wrong password included) see no version.
      Json info = {{"auth_mode", "db_auth"}};
      if (admin || user.starts_with("robot$")) {
        info["harbor_version"] = "v2.12.2-73072d0d";
        info["read_only"] = readOnly.load();
      }
      reply(response, 200, info.dump());
    } else if (!admin && user == "admin") {
      reply(response, 401,
            R"({"errors":[{"code":"UNAUTHORIZED","message":"unauthorized"}]})"
            "\n");
    } else if (uri == "/api/v2.0/users/current") {
      if (user.starts_with("robot$")) {
        reply(response, 412,
              R"({"errors":[{"code":"PRECONDITION","message":"robot"}]})"
              "\n");
      } else if (groupAdmin) {
        // An administrator through an LDAP group (src/core/auth/ldap/ldap.go).
        reply(response, 200,
              R"({"username":"ldap-admin","sysadmin_flag":false,"admin_role_in_auth":true})");
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
    } else if (method == "GET" && uri.starts_with("/api/v2.0/robots?")) {
      listRobots(request, response);
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

  // Harbor reads Level and ProjectID from q alone; without them the answer is
  // the system robots, here none (src/server/v2.0/handler/robot.go ListRobot).
  // Pages of page_size, X-Total-Count always.
  void listRobots(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    const Poco::URI uri(request.getURI());
    std::string q;
    int page = 1;
    int pageSize = 10;
    for (const auto& [key, value] : uri.getQueryParameters()) {
      if (key == "q") {
        q = value;
      } else if (key == "page") {
        page = std::stoi(value);
      } else if (key == "page_size") {
        pageSize = std::stoi(value);
      }
    }
    Json all = Json::array();
    if (q == "Level=project,ProjectID=7") {
      all.push_back({{"id", 41},
                     {"name", "robot$team+b-ns-1"},
                     {"description", "managed-by=harborrobot; x"},
                     {"disable", false},
                     {"expires_at", -1},
                     {"creation_time", "2025-05-15T10:33:41.123Z"}});
      all.push_back({{"id", 42},
                     {"name", "robot$team+ci"},
                     {"description", "made by hand"},
                     {"expires_at", -1},
                     {"creation_time", "2025-05-15T10:33:41Z"}});
      for (int i = 0; i < extraRobots; ++i) {
        all.push_back({{"id", 100 + i},
                       {"name", "robot$team+x-" + std::to_string(i)},
                       {"description", "managed-by=harborrobot; extra"},
                       {"expires_at", -1},
                       {"creation_time", "2025-05-15T10:33:41Z"}});
      }
    }
    Json pageOf = Json::array();
    for (int i = (page - 1) * pageSize; i < page * pageSize && i < static_cast<int>(all.size());
         ++i) {
      pageOf.push_back(all[static_cast<std::size_t>(i)]);
    }
    response.set("X-Total-Count", std::to_string(all.size()));
    reply(response, 200, pageOf.dump());
  }

  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
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
  http::HttpsClient client_{harbor_.clientOptions()};
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

TEST_F(HarborProviderTest, ListsThroughQAndPagesByTotalCount) {
  harbor_.extraRobots = 150;
  auto ours = provider("admin", "Harbor12345")->listCredentials("team", "managed-by=harborrobot;");
  ASSERT_TRUE(ours) << ours.error().message();
  EXPECT_EQ(ours->size(), 151u);
  std::vector<std::string> listings;
  for (const auto& request : harbor_.requests()) {
    if (request.starts_with("GET /api/v2.0/robots")) {
      listings.push_back(request);
    }
  }
  EXPECT_THAT(
      listings,
      ElementsAre("GET /api/v2.0/robots?q=Level%3Dproject%2CProjectID%3D7&page=1&page_size=100",
                  "GET /api/v2.0/robots?q=Level%3Dproject%2CProjectID%3D7&page=2&page_size=100"));
}

TEST_F(HarborProviderTest, AnAdministratorThroughAGroupIsAnAdministrator) {
  auto info = provider("ldap-admin", "Harbor12345")->serverInfo();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_TRUE(info->userIsAdmin);
  EXPECT_FALSE(info->userIsRobot);
}

TEST_F(HarborProviderTest, ReadOnlyModeIsTransientAndShown) {
  harbor_.readOnly = true;
  auto p = provider("admin", "Harbor12345");
  auto info = p->serverInfo();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_TRUE(info->readOnly);
  auto created = p->createCredential({"team", "b-ns-1", "d", {{"repository", "pull"}}, {}});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(created.error().message(),
            "POST /api/v2.0/robots: HTTP 403 DENIED: The system is in read only mode. Any "
            "modification is prohibited.");
}

TEST_F(HarborProviderTest, AfterARefusedLoginTheNextCallWaitsOutHarborsLock) {
  auto p = provider("admin", "wrong");
  ASSERT_FALSE(p->ensureProject("team"));
  ASSERT_FALSE(p->ensureProject("team"));
  const auto arrivals = harbor_.arrivals();
  ASSERT_EQ(arrivals.size(), 2u);
  // Harbor locks the username for 1.5 s after a failed login
  // (src/core/auth/authenticator.go); a retry inside it would fail for that alone.
  EXPECT_GE(arrivals[1] - arrivals[0], std::chrono::milliseconds(1500));
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
  EXPECT_EQ(good->detail, "Harbor accepts robot$team+b-ns-1; its token grants [pull] on team");
  auto push = p->verifyCredential("team", "robot$team+b-ns-1", SecretString("good"),
                                  {{"repository", "pull"}, {"repository", "push"}});
  ASSERT_TRUE(push);
  EXPECT_FALSE(push->accepted);
  EXPECT_EQ(push->detail,
            "Harbor accepts robot$team+b-ns-1 but its token grants [pull] on team, not push");
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

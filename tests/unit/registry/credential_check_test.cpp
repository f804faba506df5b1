// The token-service check against an HTTPS server answering as Harbor's token
// service does (src/core/service/token/creator.go): what counts as accepted,
// anonymous, refused or short of an action, and what a check that cannot run says.
#include "harborrobot/registry/credential_check.h"

#include <atomic>

#include <Poco/Net/HTTPBasicCredentials.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/https_client.h"
#include "mocks/harbor_token.h"
#include "mocks/https_test_server.h"

namespace harborrobot::registry {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string tokenBody(const std::string& subject, const std::vector<std::string>& actions) {
  return Json{
      {"token", testing::harborJwt(subject, actions)}, {"access_token", ""}, {"expires_in", 1800}}
      .dump();
}

// A project robot robot$team+b with `held` on project team; a public project
// gives anonymous callers pull (NOTES §6, §6b).
class TokenService {
public:
  explicit TokenService(std::vector<std::string> held)
      : held_(std::move(held)), server_([this](Poco::Net::HTTPServerRequest& request,
                                               Poco::Net::HTTPServerResponse& response,
                                               auto&) { serve(request, response); }) {}

  http::HttpsClient client() const {
    http::ClientOptions options;
    options.tls.caPem = server_.authority().ca().certificatePem;
    return http::HttpsClient(std::move(options));
  }
  std::string url() const { return server_.url(); }
  std::atomic<bool> publicProject = false;
  std::atomic<int> status = 200;

private:
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    std::string user;
    std::string password;
    if (request.hasCredentials()) {
      Poco::Net::HTTPBasicCredentials credentials(request);
      user = credentials.getUsername();
      password = credentials.getPassword();
    }
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status.load()));
    if (status != 200) {
      response.send() << "unavailable";
      return;
    }
    response.setContentType("application/json");
    if (user == "robot$team+b" && password == "good") {
      response.send() << tokenBody(user, held_);
    } else {
      response.send() << tokenBody("", publicProject ? std::vector<std::string>{"pull"}
                                                     : std::vector<std::string>{});
    }
  }

  std::vector<std::string> held_;
  testing::HttpsTestServer server_;
};

CredentialCheckInput inputFor(const TokenService& service, const std::string& secret,
                              std::vector<std::string> wanted) {
  return {service.url(), "team", "robot$team+b", SecretString(secret), std::move(wanted)};
}

TEST(TokenVisibleActions, OnlyWhatATokenCanShow) {
  EXPECT_THAT(tokenVisibleActions({{"pull", "repository"},
                                   {"read", "repository"},
                                   {"list", "repository"},
                                   {"read", "artifact"}}),
              ElementsAre("pull"));
  EXPECT_THAT(tokenVisibleActions({{"push", "repository"}}), ElementsAre("pull", "push"));
  EXPECT_THAT(tokenVisibleActions({{"delete", "repository"}, {"update", "repository"}}),
              ElementsAre("delete"));
  EXPECT_THAT(tokenVisibleActions({{"list", "repository"}}), IsEmpty());
}

TEST(CredentialCheck, AcceptsTheRobotNamedInTheToken) {
  TokenService service({"pull", "push"});
  auto client = service.client();
  const auto check = checkCredential(client, inputFor(service, "good", {"pull", "push"}));
  ASSERT_TRUE(check) << check.error().message();
  EXPECT_EQ(check->verdict, CredentialVerdict::kAccepted);
  EXPECT_THAT(check->granted, ElementsAre("pull", "push"));
  EXPECT_EQ(check->detail, "Harbor accepts robot$team+b; its token grants [pull,push] on team");
}

TEST(CredentialCheck, AnAnonymousTokenIsNoAcceptanceEvenWithPullOnAPublicProject) {
  TokenService service({"pull"});
  service.publicProject = true;
  auto client = service.client();
  const auto check = checkCredential(client, inputFor(service, "deleted", {"pull"}));
  ASSERT_TRUE(check) << check.error().message();
  EXPECT_EQ(check->verdict, CredentialVerdict::kAnonymous);
  EXPECT_FALSE(check->accepted());
  EXPECT_THAT(check->detail, HasSubstr("answered as to an anonymous caller"));
  EXPECT_THAT(check->detail, ::testing::Not(HasSubstr("deleted\"")));
}

TEST(CredentialCheck, AMissingActionIsNamed) {
  TokenService service({"pull"});
  auto client = service.client();
  const auto check = checkCredential(client, inputFor(service, "good", {"pull", "push"}));
  ASSERT_TRUE(check);
  EXPECT_EQ(check->verdict, CredentialVerdict::kMissingAction);
  EXPECT_EQ(check->detail,
            "Harbor accepts robot$team+b but its token grants [pull] on team, not push");
}

TEST(CredentialCheck, ReadAndListNeverBlockAcceptance) {
  TokenService service({"pull"});
  auto client = service.client();
  const auto wanted =
      tokenVisibleActions({{"pull", "repository"}, {"read", "repository"}, {"list", "repository"}});
  const auto check = checkCredential(client, inputFor(service, "good", wanted));
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->accepted()) << check->detail;
}

TEST(CredentialCheck, ACheckThatCannotRunIsAnErrorNotAVerdict) {
  TokenService service({"pull"});
  service.status = 503;
  auto client = service.client();
  const auto unavailable = checkCredential(client, inputFor(service, "good", {"pull"}));
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(unavailable.error().message(), "Harbor's token service answered HTTP 503");
  service.status = 401;
  const auto refused = checkCredential(client, inputFor(service, "good", {"pull"}));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->verdict, CredentialVerdict::kRefused);
  // An unknown CA: the check says why it could not run.
  http::HttpsClient untrusting{http::ClientOptions{}};
  const auto untrusted = checkCredential(untrusting, inputFor(service, "good", {"pull"}));
  ASSERT_FALSE(untrusted);
  EXPECT_THAT(untrusted.error().message(), HasSubstr("asking Harbor's token service"));
}

TEST(TokenGrant, RejectsWhatIsNotAToken) {
  EXPECT_EQ(readTokenGrant("{}", "team/x").error().message(),
            "registry token service: the answer has no token (expected {\"token\":\"<JWT>\",…})");
  EXPECT_EQ(readTokenGrant(R"({"token":"abc"})", "team/x").error().message(),
            "registry token service: the token is not a JWT");
  EXPECT_EQ(readTokenGrant(R"({"token":"a.!!!.c"})", "team/x").error().message(),
            "registry token service: the token's claims are not base64url");
}

} // namespace
} // namespace harborrobot::registry

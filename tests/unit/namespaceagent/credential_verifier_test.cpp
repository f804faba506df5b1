// The agent's credential check: the verdict as a Status the rotation reads,
// and one HTTP client per registry CA.
#include "harborrobot/namespaceagent/credential_verifier.h"

#include <gtest/gtest.h>

#include "mocks/fake_http_client.h"
#include "mocks/harbor_token.h"

namespace harborrobot::namespaceagent {
namespace {

registry::CredentialCheck withVerdict(registry::CredentialVerdict verdict) {
  return {.verdict = verdict, .granted = {}, .detail = "detail of the verdict"};
}

TEST(CredentialCheckStatus, AcceptedIsOk) {
  EXPECT_TRUE(credentialCheckStatus(withVerdict(registry::CredentialVerdict::kAccepted)));
}

TEST(CredentialCheckStatus, AMissingActionIsPermissionDenied) {
  const auto status =
      credentialCheckStatus(withVerdict(registry::CredentialVerdict::kMissingAction));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(status.error().message(), "detail of the verdict");
}

TEST(CredentialCheckStatus, RefusedAndAnonymousAreUnauthenticated) {
  for (const auto verdict :
       {registry::CredentialVerdict::kRefused, registry::CredentialVerdict::kAnonymous}) {
    const auto status = credentialCheckStatus(withVerdict(verdict));
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code(), ErrorCode::kUnauthenticated);
  }
}

TEST(CredentialCheckStatus, ACheckThatCouldNotRunSaysSo) {
  const auto status =
      credentialCheckStatus(tl::unexpected(Error(ErrorCode::kUnavailable, "connect: refused")));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().message(), "the credential could not be checked: connect: refused");
}

TEST(CredentialVerifier, KeepsOneClientPerCa) {
  std::vector<std::string> made;
  CredentialVerifier verifier([&](const std::string& caPem) -> std::unique_ptr<http::Client> {
    made.push_back(caPem);
    auto client = std::make_unique<testing::FakeHttpClient>();
    for (int i = 0; i < 2; ++i) {
      client->answer(
          200, nlohmann::json{{"token", testing::harborJwt("robot$team+pull", {"pull"})}}.dump());
    }
    return client;
  });
  const RegistryCredential credential{"https://harbor.example.com", "robot$team+pull",
                                      SecretString("s3cret")};
  const std::vector<RobotAccess> access{{"pull", "repository"}};
  EXPECT_TRUE(verifier.verify(credential, "team", access, ""));
  EXPECT_TRUE(verifier.verify(credential, "team", access, ""));
  EXPECT_TRUE(verifier.verify(credential, "team", access, "CA-PEM"));
  EXPECT_EQ(made, (std::vector<std::string>{"", "CA-PEM"}));
}

} // namespace
} // namespace harborrobot::namespaceagent

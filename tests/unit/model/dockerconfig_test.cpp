// .dockerconfigjson: the seed's exact bytes, and parsing back with checks.
#include "harborrobot/model/dockerconfig.h"

#include <gtest/gtest.h>

#include "harborrobot/util/base64.h"

namespace harborrobot {
namespace {

TEST(DockerConfig, BuildsTheSeedsShapeByteForByte) {
  const SecretString json = buildDockerConfigJson(
      {"https://harbor.example.com", "robot$team+harbor-secret-for-team-team-ns1-1a2b3c",
       SecretString("sFM0HxxxxxhwauABCDEFGHIJKLMNOPQR")});
  EXPECT_EQ(
      json.reveal(),
      R"({"auths":{"https://harbor.example.com":{"auth":")" +
          base64Encode("robot$team+harbor-secret-for-team-team-ns1-1a2b3c:"
                       "sFM0HxxxxxhwauABCDEFGHIJKLMNOPQR") +
          R"(","password":"sFM0HxxxxxhwauABCDEFGHIJKLMNOPQR","username":"robot$team+harbor-secret-for-team-team-ns1-1a2b3c"}}})");
}

TEST(DockerConfig, ParsesItsOwnOutputBack) {
  const RegistryCredential credential{"https://harbor-1.example.com", "robot$team1+x",
                                      SecretString("Secret123")};
  auto parsed = parseDockerConfigJson(buildDockerConfigJson(credential).reveal(),
                                      "https://harbor-1.example.com");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->username, "robot$team1+x");
  EXPECT_EQ(parsed->password.reveal(), "Secret123");
}

TEST(DockerConfig, RefusesWhatIsNotAUsableCredentialWithoutEchoingIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json",
       ".dockerconfigjson: is not a JSON object (expected {\"auths\":{\"<registry>\":{…}}})"},
      {R"({"auths":[]})",
       ".dockerconfigjson.auths: is missing (expected an object keyed by registry URL)"},
      {R"({"auths":{"https://other":{}}})",
       R"(.dockerconfigjson.auths: "https://h" has no entry for registry (expected an entry keyed by the binding's Harbor URL))"},
      {R"({"auths":{"https://h":{"username":"u"}}})",
       ".dockerconfigjson.auths[https://h]: lacks username or password (expected username, "
       "password and auth strings)"},
      {R"({"auths":{"https://h":{"username":"u","password":"p4ssw0rd","auth":"eDp5"}}})",
       ".dockerconfigjson.auths[https://h].auth: does not match username and password (expected "
       "base64 of <username>:<password>)"},
  };
  for (const auto& [json, message] : cases) {
    auto parsed = parseDockerConfigJson(json, "https://h");
    ASSERT_FALSE(parsed) << json;
    EXPECT_EQ(parsed.error().message(), message);
    EXPECT_EQ(parsed.error().message().find("p4ssw0rd"), std::string::npos);
  }
}

} // namespace
} // namespace harborrobot

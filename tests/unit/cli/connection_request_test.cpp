// `kubectl harborrobot connect`: the connection Secret it writes, and the
// password from stdin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/connection_request.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::cli {
namespace {

ConnectionRequest request() {
  ConnectionRequest r;
  r.name = "harbor";
  r.url = "https://harbor.example.com";
  r.username = "admin";
  return r;
}

std::string decoded(const nlohmann::json& secret, const std::string& key) {
  return base64Decode(secret["data"][key].get<std::string>()).value();
}

TEST(ConnectionRequest, DataKeysAsTheDocumentationNamesThem) {
  const auto secret = buildConnectionSecret(request(), "harbor-robot-gen-system", "s3cret", "");
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ((*secret)["metadata"]["labels"]["harbor-robot-gen"], "true");
  EXPECT_EQ((*secret)["metadata"]["namespace"], "harbor-robot-gen-system");
  EXPECT_EQ((*secret)["type"], "kubernetes.io/opaque");
  EXPECT_EQ(decoded(*secret, "url"), "https://harbor.example.com");
  EXPECT_EQ(decoded(*secret, "username"), "admin");
  EXPECT_EQ(decoded(*secret, "password"), "s3cret");
  // data, not stringData: the applier then owns every key, so a later connect
  // without --alias removes the alias keys.
  EXPECT_FALSE(secret->contains("stringData"));
  EXPECT_EQ((*secret)["data"].size(), 3U);
  EXPECT_FALSE((*secret)["metadata"].contains("annotations"));
}

TEST(ConnectionRequest, AliasCaAndProjectPathOnlyWhenGiven) {
  auto r = request();
  r.alias = "https://harbor.internal";
  r.aliasPolicy = "IfIPEqual";
  r.aliasIps = "10.0.0.5";
  r.projectFieldsPath = "{.metadata.labels.team}";
  const auto secret = buildConnectionSecret(r, "ops", "s3cret", "-----BEGIN CERTIFICATE-----\n");
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ(decoded(*secret, "url.alias"), "https://harbor.internal");
  EXPECT_EQ(decoded(*secret, "url.alias.policy"), "IfIPEqual");
  EXPECT_EQ(decoded(*secret, "url.alias.ips"), "10.0.0.5");
  EXPECT_FALSE((*secret)["data"].contains("url.alias.check.interval"));
  EXPECT_EQ(decoded(*secret, "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ((*secret)["metadata"]["annotations"].begin().value(), "{.metadata.labels.team}");
}

TEST(ConnectionRequest, TheParserRefusesWhatTheHubWouldAndNeverQuotesThePassword) {
  auto r = request();
  r.url = "harbor.example.com"; // no scheme
  const auto secret = buildConnectionSecret(r, "ops", "s3cret", "");
  ASSERT_FALSE(secret);
  EXPECT_THAT(secret.error().message(), ::testing::HasSubstr("url"));
  EXPECT_THAT(secret.error().message(), ::testing::Not(::testing::HasSubstr("s3cret")));
}

} // namespace
} // namespace harborrobot::cli

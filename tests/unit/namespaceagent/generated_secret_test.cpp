// The generated Secret: what buildSecret writes, and what isOurs, observeSecret
// and credentialIn read back from it and from Secrets that are not ours.
#include "harborrobot/namespaceagent/generated_secret.h"

#include <gtest/gtest.h>

#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::namespaceagent {
namespace {

using nlohmann::json;
using namespace std::chrono;

// Worked out apart from the code under test (Python's json, base64 and hashlib).
constexpr const char* kDockerConfig =
    R"({"auths":{"https://harbor.example.com":{"auth":"cm9ib3QkdGVhbStwdWxsLTM6czNjcmV0",)"
    R"("password":"s3cret","username":"robot$team+pull-3"}}})";
constexpr const char* kDockerConfigBase64 =
    "eyJhdXRocyI6eyJodHRwczovL2hhcmJvci5leGFtcGxlLmNvbSI6eyJhdXRoIjoiY205aWIzUWtkR1ZoYlN0d2RXeHNMVE"
    "02Y3pOamNtVjAiLCJwYXNzd29yZCI6InMzY3JldCIsInVzZXJuYW1lIjoicm9ib3QkdGVhbStwdWxsLTMifX19";
constexpr const char* kDockerConfigSha256 =
    "4b28c487207cd9623d512e41d3d4c4cb46dbfe07f538bb40efb32590cca93bd9";

const rotation::TimePoint kRotatedAt =
    sys_days(year(2026) / 11 / 24) + hours(9) + minutes(48) + seconds(29);

GeneratedSecret generated() {
  return {"harbor-pull",
          "team-pull",
          {"https://harbor.example.com", "robot$team+pull-3", SecretString("s3cret")},
          3,
          "spec-abc",
          "team-pull-3",
          kRotatedAt};
}

reconcile::AgentBinding binding() {
  reconcile::AgentBinding binding;
  binding.name = "team-pull";
  binding.secretName = "harbor-pull";
  binding.registryUrl = "https://harbor.example.com";
  return binding;
}

void setAnnotation(json& secret, std::string_view key, std::string value) {
  secret["metadata"]["annotations"][std::string(key)] = std::move(value);
}

json withDockerConfig(json secret, std::string_view config) {
  secret["data"][".dockerconfigjson"] = base64Encode(config);
  return secret;
}

TEST(BuildSecret, IsADockerConfigJsonSecretWithOurLabelAndAnnotations) {
  const json expected = {{"apiVersion", "v1"},
                         {"kind", "Secret"},
                         {"metadata",
                          {{"name", "harbor-pull"},
                           {"namespace", "team-a"},
                           {"labels", {{"app.kubernetes.io/managed-by", "harborrobot"}}},
                           {"annotations",
                            {{"harborrobot.io/binding", "team-pull"},
                             {"harborrobot.io/generation", "3"},
                             {"harborrobot.io/rotated-at", "2026-11-24T09:48:29Z"},
                             {"harborrobot.io/spec-hash", "spec-abc"},
                             {"harborrobot.io/robot", "team-pull-3"},
                             {"harborrobot.io/content-hash", kDockerConfigSha256}}}}},
                         {"type", "kubernetes.io/dockerconfigjson"},
                         {"data", {{".dockerconfigjson", kDockerConfigBase64}}}};
  EXPECT_EQ(buildSecret("team-a", generated()), expected);
}

TEST(BuildSecret, DataDecodesToTheDocumentedDockerConfig) {
  const json secret = buildSecret("team-a", generated());
  ASSERT_EQ(secret["data"].size(), 1U);
  EXPECT_EQ(base64Decode(secret["data"][".dockerconfigjson"].get<std::string>()).value(),
            kDockerConfig);
}

TEST(IsOurs, NeedsOurLabelAndThisBindingsAnnotation) {
  const json ours = buildSecret("team-a", generated());
  EXPECT_TRUE(isOurs(ours, "team-pull"));
  EXPECT_FALSE(isOurs(ours, "other-pull"));

  json foreignLabel = ours;
  foreignLabel["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "helm";
  EXPECT_FALSE(isOurs(foreignLabel, "team-pull"));

  json noLabel = ours;
  noLabel["metadata"].erase("labels");
  EXPECT_FALSE(isOurs(noLabel, "team-pull"));

  json noBinding = ours;
  noBinding["metadata"]["annotations"].erase("harborrobot.io/binding");
  EXPECT_FALSE(isOurs(noBinding, "team-pull"));
  EXPECT_FALSE(isOurs(json::object(), ""));
}

TEST(ObserveSecret, AbsentCarriesOnlyTheRotateRequest) {
  auto wanted = binding();
  wanted.rotateRequestedAt = kRotatedAt + hours(1);
  const auto observed = observeSecret(std::nullopt, wanted);
  EXPECT_FALSE(observed.exists);
  EXPECT_FALSE(observed.ours);
  EXPECT_FALSE(observed.decodes);
  EXPECT_FALSE(observed.contentMatches);
  EXPECT_EQ(observed.generation, 0);
  EXPECT_EQ(observed.rotatedAt, std::nullopt);
  EXPECT_EQ(observed.specHash, "");
  EXPECT_EQ(observed.rotateRequestedAt, kRotatedAt + hours(1));
}

TEST(ObserveSecret, IntactOursReadsBackWhatWasBuilt) {
  const auto observed = observeSecret(buildSecret("team-a", generated()), binding());
  EXPECT_TRUE(observed.exists);
  EXPECT_TRUE(observed.ours);
  EXPECT_TRUE(observed.decodes);
  EXPECT_TRUE(observed.contentMatches);
  EXPECT_EQ(observed.generation, 3);
  EXPECT_EQ(observed.rotatedAt, kRotatedAt);
  EXPECT_EQ(observed.specHash, "spec-abc");
  EXPECT_EQ(observed.rotateRequestedAt, std::nullopt);
}

TEST(ObserveSecret, ForeignOrOtherBindingsSecretIsOnlyThere) {
  json foreign = buildSecret("team-a", generated());
  foreign["metadata"].erase("labels");
  for (const auto& [secret, name] :
       {std::pair{foreign, "team-pull"}, std::pair{buildSecret("team-a", generated()), "other"}}) {
    auto wanted = binding();
    wanted.name = name;
    const auto observed = observeSecret(secret, wanted);
    EXPECT_TRUE(observed.exists) << name;
    EXPECT_FALSE(observed.ours) << name;
    EXPECT_FALSE(observed.decodes) << name;
    EXPECT_FALSE(observed.contentMatches) << name;
    EXPECT_EQ(observed.generation, 0) << name;
    EXPECT_EQ(observed.rotatedAt, std::nullopt) << name;
    EXPECT_EQ(observed.specHash, "") << name;
  }
}

TEST(ObserveSecret, HandEditedContentNoLongerMatchesItsHash) {
  const json edited = withDockerConfig(
      buildSecret("team-a", generated()),
      R"({"auths":{"https://harbor.example.com":{"password":"mine","username":"someone"}}})");
  const auto observed = observeSecret(edited, binding());
  EXPECT_TRUE(observed.ours);
  EXPECT_TRUE(observed.decodes);
  EXPECT_FALSE(observed.contentMatches);
  EXPECT_EQ(observed.generation, 3);
}

TEST(ObserveSecret, DoesNotDecodeForAnotherRegistryOrAnotherType) {
  auto moved = binding();
  moved.registryUrl = "https://harbor2.example.com";
  const auto otherRegistry = observeSecret(buildSecret("team-a", generated()), moved);
  EXPECT_FALSE(otherRegistry.decodes);
  EXPECT_TRUE(otherRegistry.contentMatches);

  json opaque = buildSecret("team-a", generated());
  opaque["type"] = "Opaque";
  const auto otherType = observeSecret(opaque, binding());
  EXPECT_FALSE(otherType.decodes);
  EXPECT_TRUE(otherType.contentMatches);

  json notBase64 = buildSecret("team-a", generated());
  notBase64["data"][".dockerconfigjson"] = "%%%";
  const auto garbled = observeSecret(notBase64, binding());
  EXPECT_FALSE(garbled.decodes);
  EXPECT_FALSE(garbled.contentMatches);
}

TEST(ObserveSecret, GenerationIsZeroUnlessUpTo18Digits) {
  for (const auto& [text, generation] : {std::pair<std::string, std::int64_t>{"42", 42},
                                         {"999999999999999999", 999999999999999999},
                                         {"1000000000000000000", 0},
                                         {"", 0},
                                         {"-3", 0},
                                         {"3x", 0},
                                         {" 3", 0}}) {
    json secret = buildSecret("team-a", generated());
    setAnnotation(secret, kGenerationAnnotation, text);
    EXPECT_EQ(observeSecret(secret, binding()).generation, generation) << '"' << text << '"';
  }
}

TEST(ObserveSecret, UnreadableRotatedAtIsNone) {
  json secret = buildSecret("team-a", generated());
  setAnnotation(secret, kRotatedAtAnnotation, "yesterday");
  EXPECT_EQ(observeSecret(secret, binding()).rotatedAt, std::nullopt);
}

TEST(CredentialIn, IntactSecretGivesTheCredentialForItsRegistry) {
  const auto credential =
      credentialIn(buildSecret("team-a", generated()), "https://harbor.example.com");
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->registry, "https://harbor.example.com");
  EXPECT_EQ(credential->username, "robot$team+pull-3");
  EXPECT_EQ(credential->password.reveal(), "s3cret");
}

TEST(CredentialIn, HandEditedSecretGivesWhatIsThereNow) {
  // No content-hash check here: observeSecret reports the edit to rotation.
  const json edited = withDockerConfig(
      buildSecret("team-a", generated()),
      R"({"auths":{"https://harbor.example.com":{"password":"mine","username":"someone"}}})");
  const auto credential = credentialIn(edited, "https://harbor.example.com");
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->username, "someone");
  EXPECT_EQ(credential->password.reveal(), "mine");
}

TEST(CredentialIn, NoneForAnotherRegistryOrUnreadableContent) {
  EXPECT_EQ(credentialIn(buildSecret("team-a", generated()), "https://harbor2.example.com"),
            std::nullopt);
  const json badAuth = withDockerConfig(
      buildSecret("team-a", generated()),
      R"({"auths":{"https://harbor.example.com":{"auth":"eDp5","password":"s3cret","username":"u"}}})");
  EXPECT_EQ(credentialIn(badAuth, "https://harbor.example.com"), std::nullopt);
  json notBase64 = buildSecret("team-a", generated());
  notBase64["data"][".dockerconfigjson"] = "%%%";
  EXPECT_EQ(credentialIn(notBase64, "https://harbor.example.com"), std::nullopt);
  EXPECT_EQ(credentialIn(json::object(), "https://harbor.example.com"), std::nullopt);
}

} // namespace
} // namespace harborrobot::namespaceagent

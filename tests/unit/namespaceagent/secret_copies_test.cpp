// The Secrets the agent builds from what it has in hand: the hub's new
// credential, alias copies, and the summary its report carries.
#include "harborrobot/namespaceagent/secret_copies.h"

#include <gtest/gtest.h>

#include "harborrobot/namespaceagent/pass_plan.h"

namespace harborrobot::namespaceagent {
namespace {

using namespace std::chrono;

const TimePoint kNow = sys_days(year(2026) / 12 / 5) + hours(12);

reconcile::AgentBinding binding() {
  reconcile::AgentBinding binding;
  binding.name = "team-pull";
  binding.secretName = "harbor-pull";
  binding.registryUrl = "https://harbor.example.com";
  binding.specHash = "spec-abc";
  binding.alias = reconcile::AliasSettings{.url = "https://harbor.internal"};
  return binding;
}

GeneratedSecret issued() {
  return issuedSecret(binding(),
                      {.username = "robot$team+pull-3",
                       .secret = SecretString("s3cret"),
                       .generation = 3,
                       .robotName = "pull-3"},
                      3, kNow);
}

TEST(IssuedSecret, IsTheMainSecretWithTheIssuedCredential) {
  const auto secret = issued();
  EXPECT_EQ(secret.name, "harbor-pull");
  EXPECT_EQ(secret.binding, "team-pull");
  EXPECT_EQ(secret.credential.registry, "https://harbor.example.com");
  EXPECT_EQ(secret.credential.username, "robot$team+pull-3");
  EXPECT_EQ(secret.credential.password.reveal(), "s3cret");
  EXPECT_EQ(secret.generation, 3);
  EXPECT_EQ(secret.specHash, "spec-abc");
  EXPECT_EQ(secret.robotName, "pull-3");
  EXPECT_EQ(secret.rotatedAt, kNow);
}

TEST(AliasOf, MovesTheCredentialToTheAliasRegistryAndSecret) {
  const auto alias = aliasOf(binding(), issued());
  EXPECT_EQ(alias.name, aliasSecretName(binding()));
  EXPECT_EQ(alias.credential.registry, "https://harbor.internal");
  EXPECT_EQ(alias.credential.username, "robot$team+pull-3");
  EXPECT_EQ(alias.generation, 3);
}

TEST(AliasOfSecretInPlace, CopiesTheMainSecretsFacts) {
  const auto main = buildSecret("team-a", issued());
  const auto alias = aliasOfSecretInPlace(
      binding(), main, {"https://harbor.example.com", "robot$team+pull-3", SecretString("s3cret")},
      kNow + hours(1));
  EXPECT_EQ(alias.name, aliasSecretName(binding()));
  EXPECT_EQ(alias.credential.registry, "https://harbor.internal");
  EXPECT_EQ(alias.generation, 3);
  EXPECT_EQ(alias.specHash, "spec-abc");
  EXPECT_EQ(alias.robotName, "pull-3");
  EXPECT_EQ(alias.rotatedAt, kNow); // the main Secret's, not the time of the copy
}

TEST(SecretSummary, ReadsGenerationRobotAndRotationTime) {
  const auto summary = secretSummary(buildSecret("team-a", issued()), binding());
  EXPECT_EQ(summary.generation, 3);
  EXPECT_EQ(summary.robotName, "pull-3");
  EXPECT_EQ(summary.rotatedAt, kNow);
}

TEST(RobotNameIn, IsEmptyWithoutOurAnnotation) {
  EXPECT_EQ(robotNameIn(nlohmann::json::object()), "");
  EXPECT_EQ(robotNameIn({{"metadata", {{"annotations", "junk"}}}}), "");
}

} // namespace
} // namespace harborrobot::namespaceagent

// Every HarborRobotBinding and connection Secret of seed 000, verbatim, parses
// with the values the seed means.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/connection.h"

namespace harborrobot {
namespace {

using ::testing::ElementsAre;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(HARBORROBOT_FIXTURES_DIR) + "/seed/" + name);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SeedFixtures, QuickStartBinding) {
  auto binding = parseBindingYaml(fixture("binding-harbor-secret-for-team-quickstart.yaml"));
  ASSERT_TRUE(binding) << binding.error().message();
  EXPECT_EQ(binding->name, "harbor-secret-for-team");
  const BindingSpec& spec = binding->spec;
  EXPECT_THAT(spec.namespaceNames, ElementsAre("team-ns1", "team-ns2"));
  EXPECT_FALSE(spec.namespaceSelector);
  EXPECT_EQ(spec.generatedSecretName, "harbor-secret-for-team.robot");
  EXPECT_EQ(spec.serviceAccountName, "default");
  EXPECT_EQ(spec.project, "team");
  EXPECT_THAT(spec.access, ElementsAre(RobotAccess{"pull", "repository"}));
  EXPECT_EQ(spec.connectionName, "harbor");
  EXPECT_EQ(spec.connectionNamespace, "harbor-robot-gen-system");
  EXPECT_EQ(spec.refreshInterval, std::chrono::hours(6));
  EXPECT_EQ(spec.gracePeriod, std::chrono::minutes(5));
  EXPECT_EQ(spec.robotLifetime, std::chrono::hours(24)) << "2 × 6h rounded up to a day";
  EXPECT_TRUE(spec.targets("team-ns1", {}));
  EXPECT_FALSE(spec.targets("team", {{"cpaas.io/inner-namespace", "team"}}));
}

TEST(SeedFixtures, SelectorExampleBinding) {
  auto binding = parseBindingYaml(fixture("binding-harbor-for-team-example.yaml"));
  ASSERT_TRUE(binding) << binding.error().message();
  const BindingSpec& spec = binding->spec;
  EXPECT_TRUE(spec.namespaceNames.empty());
  ASSERT_TRUE(spec.namespaceSelector);
  EXPECT_EQ(spec.namespaceSelector->toString(), "goharbor.io/project=team-1");
  EXPECT_TRUE(spec.targets("any", {{"goharbor.io/project", "team-1"}}));
  EXPECT_FALSE(spec.targets("any", {{"goharbor.io/project", "team-2"}}));
  EXPECT_EQ(spec.generatedSecretName, "harbor-for-team.robot");
}

TEST(SeedFixtures, TheSpecFragmentIsRefusedForWantOfHarbor) {
  // The seed shows this block only to illustrate generatedSecret and serviceAccount.
  auto binding = parseBindingYaml(fixture("binding-harbor-for-team-fragment.yaml"));
  ASSERT_FALSE(binding);
  EXPECT_EQ(binding.error().message(),
            "spec.harbor: is required (expected {project, robot, secret})");
}

TEST(SeedFixtures, DisasterRecoveryBindings) {
  for (const auto& [file, connection, secret] :
       {std::tuple{"binding-harbor1-for-team1.yaml", "harbor1", "harbor1-for-team1.robot"},
        std::tuple{"binding-harbor2-for-team1.yaml", "harbor2", "harbor2-for-team1.robot"}}) {
    auto binding = parseBindingYaml(fixture(file));
    ASSERT_TRUE(binding) << file << ": " << binding.error().message();
    EXPECT_EQ(binding->spec.connectionName, connection);
    EXPECT_EQ(binding->spec.generatedSecretName, secret);
    EXPECT_THAT(binding->spec.namespaceNames, ElementsAre("team1-demo"));
    EXPECT_EQ(binding->spec.project, "team1");
    EXPECT_EQ(binding->spec.refreshInterval, std::chrono::hours(1));
  }
}

TEST(SeedFixtures, QuickStartConnection) {
  auto connection = parseConnectionSecretYaml(fixture("connection-harbor-quickstart.yaml"));
  ASSERT_TRUE(connection) << connection.error().message();
  EXPECT_EQ(connection->name, "harbor");
  EXPECT_EQ(connection->ns, "harbor-robot-gen-system");
  EXPECT_EQ(connection->url, "https://harbor.example.com");
  EXPECT_EQ(connection->username, "api-user");
  EXPECT_EQ(connection->password.reveal(), "api-password");
  EXPECT_EQ(connection->projectFieldsPath, R"({.metadata.labels.cpaas\.io/inner-namespace})");
  EXPECT_FALSE(connection->alias);
  EXPECT_EQ(connection->aliasPolicy, "IfIPEqual");
  EXPECT_EQ(connection->aliasCheckInterval, std::chrono::minutes(1));
}

TEST(SeedFixtures, ConnectionExamples) {
  auto one = parseConnectionSecretYaml(fixture("connection-harbor-example1.yaml"));
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->url, "https://harbor-1.example.com");
  EXPECT_EQ(one->projectFieldsPath, R"({.metadata.annotations.goharbor\.io/project})");
  auto two = parseConnectionSecretYaml(fixture("connection-harbor-example2.yaml"));
  ASSERT_TRUE(two) << two.error().message();
  EXPECT_EQ(two->alias, "https://harbor.example.com");
  EXPECT_EQ(two->aliasPolicy, "IfIPEqual");
  EXPECT_EQ(two->aliasCheckInterval, std::chrono::minutes(2));
  auto three = parseConnectionSecretYaml(fixture("connection-harbor-example3.yaml"));
  ASSERT_TRUE(three) << three.error().message();
  EXPECT_THAT(three->aliasIps, ElementsAre("192.168.1.1", "192.168.1.2"));
}

TEST(SeedFixtures, DisasterRecoveryConnections) {
  for (const auto& [file, url] :
       {std::pair{"connection-harbor1.yaml", "https://harbor-1.example.com"},
        std::pair{"connection-harbor2.yaml", "https://harbor-2.example.com"}}) {
    auto connection = parseConnectionSecretYaml(fixture(file));
    ASSERT_TRUE(connection) << file << ": " << connection.error().message();
    EXPECT_EQ(connection->url, url);
    EXPECT_EQ(connection->alias, "https://harbor.example.com");
    EXPECT_EQ(connection->aliasPolicy, "IfIPEqual");
    EXPECT_EQ(connection->username, "user1");
  }
}

} // namespace
} // namespace harborrobot

// `kubectl harborrobot validate`: the hub's parsers over manifests, offline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/manifest_check.h"

namespace harborrobot::cli {
namespace {

constexpr std::string_view kManifests =
    R"(apiVersion: harbor-robot-gen.alaudadevops.alauda.io/v1alpha1
kind: HarborRobotBinding
metadata:
  name: good
spec:
  generatedSecret:
    name: pull
  namespaces:
    names: [team-a]
  harbor:
    project: team
    robot:
      access:
        - resource: repository
          action: pull
    secret:
      name: harbor
      namespace: harbor-robot-gen-system
  refreshInterval: 6h
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: harbor
      labels:
        harbor-robot-gen: "true"
    stringData:
      url: harbor.example.com
      username: admin
      password: x
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: unrelated
)";

TEST(ManifestCheck, BindingsAndConnectionsCheckedOthersSkipped) {
  ManifestTally tally;
  checkManifestText("repo.yaml", kManifests, tally);
  EXPECT_EQ(tally.bindings, 1);
  EXPECT_EQ(tally.connections, 1);
  EXPECT_EQ(tally.skipped, 1);
  ASSERT_EQ(tally.problems.size(), 1U);
  EXPECT_EQ(tally.problems[0].where, "repo.yaml: document 2 item 1 (Secret harbor)");
  EXPECT_THAT(tally.problems[0].error.message(), ::testing::HasSubstr("url"));
  EXPECT_EQ(tally.summary(), "1 binding(s) and 1 connection Secret(s) checked, 1 other "
                             "object(s) skipped: 1 error(s)");
}

TEST(ManifestCheck, TextThatIsNotYamlIsOneProblemNamingTheFile) {
  ManifestTally tally;
  checkManifestText("broken.yaml", "kind: [unclosed", tally);
  ASSERT_EQ(tally.problems.size(), 1U);
  EXPECT_EQ(tally.problems[0].where, "broken.yaml");
  EXPECT_EQ(tally.bindings + tally.connections + tally.skipped, 0);
}

TEST(ManifestCheck, ObjectsWithoutKindOrNameAreNamedAnyway) {
  ManifestTally tally;
  checkManifestText("-", "metadata: {}\n", tally);
  EXPECT_EQ(tally.skipped, 1);
  tally = {};
  checkManifestText("-", "kind: HarborRobotBinding\n", tally);
  ASSERT_EQ(tally.problems.size(), 1U);
  EXPECT_EQ(tally.problems[0].where, "-: document 1 (HarborRobotBinding <no name>)");
}

} // namespace
} // namespace harborrobot::cli

// The watchdog manifests: the seed's object kinds, the embedded config.yaml that
// the agent will parse, scripts kept byte for byte, and refused inputs.
#include "harborrobot/failover/manifest.h"

#include <gtest/gtest.h>

#include "harborrobot/util/yaml_json.h"

namespace harborrobot::failover {
namespace {

ManifestInput input() {
  ManifestInput in;
  in.image = "registry.example.com/harborrobot/agent:0.1.0";
  in.conditionScript = "set -euo pipefail\necho start\n";
  in.startScript = "kubectl -n \"$HARBOR_NAMESPACE\" patch harbor \"$HARBOR_NAME\" --type=merge -p "
                   "'{\"spec\":{}}'";
  in.stopScript = "# stop: 'quotes' and \"quotes\"\n";
  in.statusScript = "echo started\n";
  return in;
}

TEST(FailoverManifest, RendersTheSeedsObjectsWithAParseableConfig) {
  auto rendered = renderFailoverManifest(input());
  ASSERT_TRUE(rendered) << rendered.error().message();
  auto documents = yamlDocumentsToJson(*rendered);
  ASSERT_TRUE(documents) << documents.error().message() << "\n" << *rendered;
  ASSERT_EQ(documents->size(), 5u);
  std::vector<std::string> kinds;
  for (const auto& document : *documents) {
    kinds.push_back(document["kind"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                                             "ConfigMap", "Deployment"}));
  const auto& configMap = (*documents)[3];
  auto config = parseFailoverConfig(configMap["data"]["config.yaml"].get<std::string>());
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->conditionCheckScript, "/scripts/check.sh");
  EXPECT_EQ(config->checkInterval, std::chrono::seconds(10));
  EXPECT_EQ(configMap["data"]["start.sh"], input().startScript + "\n");
  EXPECT_EQ(configMap["data"]["stop.sh"], input().stopScript);
  const auto& deployment = (*documents)[4];
  EXPECT_EQ(deployment["metadata"]["namespace"], "harbor-dr");
  EXPECT_EQ(deployment["spec"]["replicas"], 1);
  const auto& container = deployment["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "registry.example.com/harborrobot/agent:0.1.0");
  EXPECT_EQ(container["args"],
            nlohmann::json::parse(
                R"(["failover","--config","/opt/config/config.yaml","--listen","0.0.0.0:8080"])"));
  EXPECT_EQ(deployment["spec"]["template"]["spec"]["serviceAccountName"], "disaster-recovery");
  const auto& rules = (*documents)[1]["rules"];
  EXPECT_EQ(rules[0]["resources"][0], "harbors");
  EXPECT_EQ(rules[2]["resources"][0], "pods/exec");
}

TEST(FailoverManifest, RefusesBadSettingsWithTheFlagsName) {
  auto in = input();
  in.checkInterval = "often";
  auto badInterval = renderFailoverManifest(in);
  ASSERT_FALSE(badInterval);
  EXPECT_EQ(
      badInterval.error().message(),
      R"(check_interval: "often" is not a duration (expected a Go duration such as 30s or 2m))");
  in = input();
  in.ns = "Harbor DR";
  auto badNamespace = renderFailoverManifest(in);
  ASSERT_FALSE(badNamespace);
  EXPECT_EQ(
      badNamespace.error().message(),
      R"(--namespace: "Harbor DR" is not a valid namespace name (expected a lower-case RFC 1123 label of at most 63 characters, e.g. team-ns1))");
  in = input();
  in.failureThreshold = 0;
  EXPECT_FALSE(renderFailoverManifest(in));
}

} // namespace
} // namespace harborrobot::failover

// The install objects and each namespace agent's objects, built in the core:
// `kubectl harborrobot install` applies (or --dry-run prints) the first, the
// hub's agent deployer keeps the second in every target namespace.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/install/agent_objects.h"
#include "harborrobot/install/cluster_objects.h"
#include "harborrobot/kube/resource.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::install {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;

AgentTemplate agentTemplate() {
  return {"registry.example.com/harborrobot/agent:1.2.3",
          "harbor-robot-gen-system",
          "harborrobot-hub",
          "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
          {{"HTTPS_PROXY", "http://proxy:3128"}}};
}

std::vector<std::string> kinds(const std::vector<Json>& objects) {
  std::vector<std::string> result;
  for (const auto& object : objects) {
    result.push_back(object.value("kind", ""));
  }
  return result;
}

const Json& ofKind(const std::vector<Json>& objects, std::string_view kind,
                   std::string_view name = {}) {
  const auto found = std::find_if(objects.begin(), objects.end(), [&](const Json& object) {
    return object.value("kind", "") == kind &&
           (name.empty() || object["metadata"].value("name", "") == name);
  });
  EXPECT_NE(found, objects.end()) << kind << " " << name;
  static const Json kNone;
  return found == objects.end() ? kNone : *found;
}

TEST(AgentObjects, FourObjectsInCreateOrderInTheTargetNamespace) {
  const auto objects = agentObjects("team-a", agentTemplate());
  EXPECT_THAT(kinds(objects),
              ElementsAre("ServiceAccount", "RoleBinding", "ConfigMap", "Deployment"));
  for (const auto& object : objects) {
    EXPECT_EQ(object["metadata"]["namespace"], "team-a");
    EXPECT_EQ(object["metadata"]["labels"]["app.kubernetes.io/managed-by"], "harborrobot");
    EXPECT_TRUE(kube::resources::typeOf(object["apiVersion"].get<std::string>(),
                                        object["kind"].get<std::string>()))
        << object["kind"];
  }
  const auto& binding = objects[1];
  EXPECT_EQ(binding["roleRef"], Json({{"apiGroup", "rbac.authorization.k8s.io"},
                                      {"kind", "ClusterRole"},
                                      {"name", "harborrobot-agent"}}));
  EXPECT_EQ(binding["subjects"], Json::array({{{"kind", "ServiceAccount"},
                                               {"name", "harborrobot-agent"},
                                               {"namespace", "team-a"}}}));
  EXPECT_EQ(objects[2]["metadata"]["name"], "harborrobot-hub-ca");
  EXPECT_EQ(objects[2]["data"]["ca.crt"], agentTemplate().caCertificate);
}

TEST(AgentObjects, TheDeploymentReachesTheHubWithAHubOnlyToken) {
  const auto deployment = agentObjects("team-a", agentTemplate())[3];
  const auto& pod = deployment["spec"]["template"]["spec"];
  const auto& container = pod["containers"][0];
  EXPECT_EQ(container["image"], "registry.example.com/harborrobot/agent:1.2.3");
  EXPECT_EQ(container["args"], Json({"namespace", "--hub-url",
                                     "https://harborrobot-hub.harbor-robot-gen-system.svc:8443",
                                     "--health-listen", "$(POD_IP):8080"}));
  // The downward API first, then --agent-env in the order given.
  ASSERT_EQ(container["env"].size(), 4U);
  EXPECT_EQ(container["env"][2]["name"], "POD_IP");
  EXPECT_EQ(container["env"][3], Json({{"name", "HTTPS_PROXY"}, {"value", "http://proxy:3128"}}));
  EXPECT_EQ(pod["serviceAccountName"], "harborrobot-agent");
  EXPECT_EQ(pod["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["audience"],
            "harborrobot-hub");
  EXPECT_EQ(pod["volumes"][1]["configMap"]["name"], "harborrobot-hub-ca");
  EXPECT_EQ(pod["securityContext"]["runAsUser"], 65532);
  EXPECT_EQ(container["securityContext"]["capabilities"]["drop"], Json({"ALL"}));
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/readyz");
}

TEST(AgentObjects, TheTemplateHashFollowsTheTemplate) {
  const auto hashOf = [](const AgentTemplate& agent) {
    return agentObjects("team-a",
                        agent)[3]["metadata"]["annotations"]["harborrobot.io/template-hash"]
        .get<std::string>();
  };
  const std::string hash = hashOf(agentTemplate());
  EXPECT_EQ(hash.size(), 16U);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
  EXPECT_EQ(hashOf(agentTemplate()), hash);
  auto upgraded = agentTemplate();
  upgraded.image = "registry.example.com/harborrobot/agent:1.2.4";
  EXPECT_NE(hashOf(upgraded), hash);
  auto proxied = agentTemplate();
  proxied.env.clear();
  EXPECT_NE(hashOf(proxied), hash);
}

TEST(AgentObjects, CurrentComparesOnlyWhatHarborrobotSets) {
  const auto desired = agentObjects("team-a", agentTemplate());
  for (const auto& object : desired) {
    // As read back: the API server adds metadata and status of its own.
    Json current = object;
    current["metadata"]["resourceVersion"] = "42";
    current["metadata"]["uid"] = "0b6c…";
    current["status"] = {{"observedGeneration", 1}};
    EXPECT_TRUE(agentObjectCurrent(current, object)) << object["kind"];
  }
  Json staleBinding = desired[1];
  staleBinding["subjects"][0]["namespace"] = "team-b";
  EXPECT_FALSE(agentObjectCurrent(staleBinding, desired[1]));
  Json staleCa = desired[2];
  staleCa["data"]["ca.crt"] = "an older CA";
  EXPECT_FALSE(agentObjectCurrent(staleCa, desired[2]));
  auto upgraded = agentTemplate();
  upgraded.image = "registry.example.com/harborrobot/agent:1.2.4";
  EXPECT_FALSE(agentObjectCurrent(desired[3], agentObjects("team-a", upgraded)[3]));
  // A Deployment someone scaled or whose defaults the API server filled in is
  // still the hub's: only the template hash decides.
  Json scaled = desired[3];
  scaled["spec"]["replicas"] = 0;
  scaled["spec"]["template"]["spec"]["dnsPolicy"] = "ClusterFirst";
  EXPECT_TRUE(agentObjectCurrent(scaled, desired[3]));
}

std::vector<Json> install(const InstallOptions& options) {
  auto objects = installObjects(
      options, {{{"apiVersion", "apiextensions.k8s.io/v1"},
                 {"kind", "CustomResourceDefinition"},
                 {"metadata",
                  {{"name", wire::kBindingCrdName},
                   {"labels", {{"app.kubernetes.io/managed-by", "kubectl-harborrobot"}}}}}}});
  EXPECT_TRUE(objects) << objects.error().message();
  return objects ? *objects : std::vector<Json>{};
}

TEST(InstallObjects, NamespaceAndCrdsFirstAndEveryObjectHasAType) {
  const auto objects = install({});
  ASSERT_GE(objects.size(), 3U);
  EXPECT_EQ(objects[0]["kind"], "Namespace");
  EXPECT_EQ(objects[0]["metadata"]["name"], "harbor-robot-gen-system");
  EXPECT_EQ(objects[1]["kind"], "CustomResourceDefinition");
  for (const auto& object : objects) {
    EXPECT_TRUE(kube::resources::typeOf(object["apiVersion"].get<std::string>(),
                                        object["kind"].get<std::string>()))
        << object["kind"];
    EXPECT_EQ(object["metadata"]["labels"]["app.kubernetes.io/managed-by"], "kubectl-harborrobot");
  }
}

TEST(InstallObjects, HubAndAgentPodsShareTheirHardeningAndProbes) {
  const auto objects = install({});
  const auto& hub = ofKind(objects, "Deployment", "harborrobot-hub");
  const auto agents = agentObjects("team-a", agentTemplate());
  const auto& agent = agents[3];
  const auto& hubPod = hub["spec"]["template"]["spec"];
  const auto& agentPod = agent["spec"]["template"]["spec"];
  EXPECT_EQ(hubPod["securityContext"], agentPod["securityContext"]);
  for (const char* field : {"securityContext", "readinessProbe", "livenessProbe"}) {
    EXPECT_EQ(hubPod["containers"][0][field], agentPod["containers"][0][field]) << field;
  }
  EXPECT_EQ(hubPod["containers"][0]["args"],
            Json({"hub", "--api-listen", "$(POD_IP):8443", "--health-listen", "$(POD_IP):8080",
                  "--agents", "managed", "--agent-image", std::string(wire::kDefaultAgentImage)}));
}

TEST(InstallObjects, ExternalAgentsTakeTheHubsRightToDeployThem) {
  const auto rulesFor = [](const std::vector<Json>& objects) {
    std::vector<std::string> resources;
    for (const auto& rule : ofKind(objects, "ClusterRole", "harborrobot-hub")["rules"]) {
      resources.push_back(rule["resources"][0].get<std::string>() + ":" +
                          rule["verbs"][0].get<std::string>());
    }
    return resources;
  };
  const auto managed = rulesFor(install({}));
  InstallOptions external;
  external.agents = "external";
  const auto bare = rulesFor(install(external));
  EXPECT_THAT(managed, ::testing::Contains("deployments:create"));
  EXPECT_THAT(managed, ::testing::Contains("clusterroles:bind"));
  EXPECT_THAT(bare, ::testing::Not(::testing::Contains("deployments:create")));
  EXPECT_THAT(bare, ::testing::Not(::testing::Contains("serviceaccounts:create")));
  EXPECT_THAT(bare, ::testing::Not(::testing::Contains("clusterroles:bind")));
}

TEST(InstallObjects, OptionsOutOfRangeNameTheFlag) {
  InstallOptions options;
  options.agents = "both";
  auto objects = installObjects(options, {});
  ASSERT_FALSE(objects);
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("--agents"));
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("both"));
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("managed or external"));
  options = {};
  options.allowNamespaces = {"team-a"};
  objects = installObjects(options, {});
  ASSERT_FALSE(objects);
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("--allow-namespaces"));
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("is not a protected namespace"));
  options = {};
  options.image = "two words";
  objects = installObjects(options, {});
  ASSERT_FALSE(objects);
  EXPECT_THAT(objects.error().message(), ::testing::HasSubstr("--image"));
}

TEST(InstallObjects, TheRbacTableNamesWhoMayDoWhat) {
  const std::string table = rbacTable(install({}));
  EXPECT_THAT(table,
              ::testing::StartsWith("| Who | Where | API group | Resource | Names | Verbs |"));
  EXPECT_THAT(table, ::testing::HasSubstr("| agent | its own namespace | core | secrets | any | "
                                          "get, list, watch, create, update, delete |"));
  EXPECT_THAT(table, ::testing::HasSubstr("| hub | cluster-wide | apps | deployments | "
                                          "harborrobot-agent |"));
}

TEST(ResourceTypes, ByApiVersionAndKind) {
  const auto deployments = kube::resources::typeOf("apps/v1", "Deployment");
  ASSERT_TRUE(deployments);
  EXPECT_EQ(deployments->plural, "deployments");
  EXPECT_FALSE(kube::resources::typeOf("v1", "Deployment"));
  EXPECT_FALSE(kube::resources::typeOf("apps/v1", "StatefulSet"));
  const auto policies = kube::resources::typeOf("networking.k8s.io/v1", "NetworkPolicy");
  ASSERT_TRUE(policies);
  EXPECT_TRUE(policies->namespaced);
}

TEST(WireNames, TheHubApiUrlAgentsUse) {
  EXPECT_EQ(wire::hubApiUrl(), "https://harborrobot-hub.harbor-robot-gen-system.svc:8443");
  EXPECT_EQ(wire::hubApiUrl("hub", "ops"), "https://hub.ops.svc:8443");
}

} // namespace
} // namespace harborrobot::install

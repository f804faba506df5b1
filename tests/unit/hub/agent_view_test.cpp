// What the hub API tells an agent about a binding, its rotate requests and the
// fingerprint that wakes the agent.
#include "harborrobot/hub/agent_view.h"

#include <gtest/gtest.h>

#include "harborrobot/model/rotate_annotation.h"
#include "harborrobot/util/rfc3339.h"
#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

using namespace std::chrono;

const system_clock::time_point kStart = sys_days(year(2026) / 3 / 1) + hours(9);

Resolved resolvedOf(const kube::Json& object) {
  Resolved resolved;
  auto parsed = parseBinding(object);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message());
  if (parsed) {
    resolved.binding = std::move(*parsed);
  }
  return resolved;
}

TEST(RotateRequestedAt, TheLatestOfTheAllAndPerNamespaceKeysWins) {
  kube::Json object = testing::bindingObject("b", {"ns1", "ns2"});
  EXPECT_FALSE(rotateRequestedAt(object, "ns1"));
  object["metadata"]["annotations"] = {
      {std::string(kRotateAllAnnotation), formatRfc3339(kStart)},
      {rotateAnnotationFor("ns1"), formatRfc3339(kStart + hours(1))},
      {legacyRotateAnnotationFor("ns2"), formatRfc3339(kStart - hours(1))}};
  EXPECT_EQ(rotateRequestedAt(object, "ns1"), kStart + hours(1));
  EXPECT_EQ(rotateRequestedAt(object, "ns2"), kStart); // the all-namespaces key is later
  EXPECT_EQ(rotateRequestedAt(object, "ns3"), kStart);
}

TEST(RotateRequestedAt, UnparsableTimesAreIgnored) {
  kube::Json object = testing::bindingObject("b", {"ns1"});
  object["metadata"]["annotations"] = {{std::string(kRotateAllAnnotation), "yesterday"},
                                       {rotateAnnotationFor("ns1"), formatRfc3339(kStart)}};
  EXPECT_EQ(rotateRequestedAt(object, "ns1"), kStart);
}

TEST(AgentView, CarriesTheSpecTheConnectionAndTheActiveGeneration) {
  const kube::Json object = testing::bindingObject("b", {"ns1"});
  Resolved resolved = resolvedOf(object);
  auto connection = std::make_shared<Connection>();
  connection->settings.url = "https://harbor.example.com";
  connection->settings.caPem = "PEM";
  connection->settings.alias = "https://alias.example.com";
  resolved.connection = connection;

  const auto view = agentViewOf(resolved, object, "ns1", 4);
  EXPECT_EQ(view.name, "b");
  EXPECT_EQ(view.uid, "uid-1");
  EXPECT_EQ(view.generation, 3);
  EXPECT_EQ(view.secretName, "b.robot");
  EXPECT_EQ(view.serviceAccountName, "default");
  EXPECT_EQ(view.project, "team");
  EXPECT_EQ(view.registryUrl, "https://harbor.example.com");
  EXPECT_EQ(view.registryCaPem, "PEM");
  ASSERT_TRUE(view.alias);
  EXPECT_EQ(view.activeGeneration, 4);
  EXPECT_FALSE(view.frozen);
  EXPECT_FALSE(view.specHash.empty());
  // The parts common to every namespace leave the namespace's generation out.
  EXPECT_EQ(agentViewOf(resolved, object, "", 4).activeGeneration, 0);
}

TEST(AgentView, WithoutAUsableConnectionTheUrlIsEmptyNeverDeleted) {
  const kube::Json object = testing::bindingObject("b", {"ns1"});
  Resolved resolved = resolvedOf(object);
  const auto without = agentViewOf(resolved, object, "ns1", std::nullopt);
  EXPECT_EQ(without.registryUrl, "");
  auto invalid = std::make_shared<Connection>();
  invalid->settings.url = "https://harbor.example.com";
  invalid->problemReason = "InvalidConnection";
  resolved.connection = invalid;
  EXPECT_EQ(agentViewOf(resolved, object, "ns1", std::nullopt).registryUrl, "");
  // Another problem (Harbor down) still names the registry: the Secret keeps its key.
  auto unreachable = std::make_shared<Connection>();
  unreachable->settings.url = "https://harbor.example.com";
  unreachable->problemReason = "HarborUnreachable";
  resolved.connection = unreachable;
  const auto down = agentViewOf(resolved, object, "ns1", std::nullopt);
  EXPECT_EQ(down.registryUrl, "https://harbor.example.com");
  EXPECT_NE(down.specHash, without.specHash);
}

TEST(AgentView, FrozenAndRotateRequestTravel) {
  kube::Json object = testing::bindingObject("b", {"ns1"});
  object["metadata"]["annotations"] = {{rotateAnnotationFor("ns1"), formatRfc3339(kStart)}};
  Resolved resolved = resolvedOf(object);
  resolved.frozen = true;
  const auto view = agentViewOf(resolved, object, "ns1", std::nullopt);
  EXPECT_TRUE(view.frozen);
  EXPECT_EQ(view.rotateRequestedAt, kStart);
}

TEST(Fingerprints, FollowTheTextOfEachNamespace) {
  const auto first = fingerprintsOf({{"ns1", "view-a;"}, {"ns2", "view-a;"}});
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first.at("ns1"), first.at("ns2"));
  EXPECT_EQ(first.at("ns1").size(), 16U);
  const auto second = fingerprintsOf({{"ns1", "view-b;"}, {"ns2", "view-a;"}});
  EXPECT_NE(second.at("ns1"), first.at("ns1"));
  EXPECT_EQ(second.at("ns2"), first.at("ns2"));
}

} // namespace
} // namespace harborrobot::hub

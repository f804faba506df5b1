// The hub API's messages: round trips, and errors that name the field.
#include <gtest/gtest.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::reconcile {
namespace {

using namespace std::chrono;
using nlohmann::json;

AgentBinding sampleBinding() {
  AgentBinding binding;
  binding.name = "harbor-secret-for-team";
  binding.uid = "6a1c";
  binding.generation = 3;
  binding.secretName = "harbor-secret-for-team";
  binding.serviceAccountName = "default";
  binding.registryUrl = "https://harbor-1.example.com";
  binding.alias = AliasSettings{"https://harbor.example.com", "IfIPEqual", {"10.0.0.1"}, 90s};
  binding.project = "team";
  binding.access = {{"pull", "repository"}};
  binding.refreshInterval = 6h;
  binding.specHash = "abc";
  binding.activeGeneration = 2;
  binding.rotateRequestedAt = sys_days(year(2026) / 1 / 2) + hours(3);
  return binding;
}

TEST(HubProtocolTest, ABindingListRoundTrips) {
  const std::vector<AgentBinding> bindings = {sampleBinding()};
  auto parsed = parseBindingList(toJson(bindings));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->front(), bindings.front());
}

TEST(HubProtocolTest, ABindingWithoutAliasHasNone) {
  AgentBinding binding = sampleBinding();
  binding.alias.reset();
  binding.rotateRequestedAt.reset();
  auto parsed = parseAgentBinding(toJson(binding), "");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, binding);
}

TEST(HubProtocolTest, AFrozenBindingSaysSoAndOnlyThen) {
  AgentBinding binding = sampleBinding();
  EXPECT_FALSE(toJson(binding).contains("frozen")); // older agents see what they always saw
  binding.frozen = true;
  auto parsed = parseAgentBinding(toJson(binding), "");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, binding);
  auto wrong = toJson(binding);
  wrong["frozen"] = "yes";
  auto refused = parseAgentBinding(wrong, "items[0]");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("items[0].frozen"), std::string::npos);
}

TEST(HubProtocolTest, MalformedBindingsNameTheField) {
  json body = toJson(std::vector<AgentBinding>{sampleBinding()});
  body["items"][0]["refreshInterval"] = "6 hours";
  auto parsed = parseBindingList(body);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message().rfind("items[0].refreshInterval: \"6 hours\"", 0), 0u)
      << parsed.error().message();

  body = toJson(std::vector<AgentBinding>{sampleBinding()});
  body["items"][0]["access"][0]["action"] = 7;
  parsed = parseBindingList(body);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message().rfind("items[0].access[0].action: ", 0), 0u)
      << parsed.error().message();

  EXPECT_FALSE(parseBindingList(json::array()));
  EXPECT_FALSE(parseBindingList(json{{"items", "x"}}));
}

TEST(HubProtocolTest, CredentialRequestsAreValidated) {
  auto good = parseCredentialRequest(toJson(CredentialRequest{"r-1a2b", 4}));
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->rotationId, "r-1a2b");
  EXPECT_EQ(good->generation, 4);

  auto badId = parseCredentialRequest(json{{"rotationId", "Not Valid!"}, {"generation", 1}});
  ASSERT_FALSE(badId);
  EXPECT_EQ(badId.error().message().rfind("rotationId: \"Not Valid!\"", 0), 0u);
  auto badGeneration = parseCredentialRequest(json{{"rotationId", "r1"}, {"generation", 0}});
  ASSERT_FALSE(badGeneration);
  EXPECT_EQ(badGeneration.error().message().rfind("generation: \"0\"", 0), 0u);
  EXPECT_FALSE(parseCredentialRequest(json{{"rotationId", "r1"}}));
}

TEST(HubProtocolTest, AnIssuedCredentialNeverEchoesABadSecret) {
  IssuedCredential credential{"robot$team+x", SecretString("s3cr3t-value"), 2, "x", {}};
  auto parsed = parseIssuedCredential(toJson(credential));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->secret.reveal(), "s3cr3t-value");

  json broken = toJson(credential);
  broken["secret"] = 12345;
  auto refused = parseIssuedCredential(broken);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message().find("12345"), std::string::npos);
  EXPECT_EQ(refused.error().message().rfind("secret: ", 0), 0u);
}

TEST(HubProtocolTest, ReportsRoundTrip) {
  AgentReport report;
  report.agentVersion = "0.1.0";
  NamespaceReport entry;
  entry.binding = "b";
  entry.ready = true;
  entry.generation = 5;
  entry.robotName = "b-team-ns1-abc123";
  entry.lastRefreshTime = sys_days(year(2026) / 1 / 2);
  entry.nextRefreshTime = sys_days(year(2026) / 1 / 2) + 6h;
  entry.credentialVerifiedAt = sys_days(year(2026) / 1 / 2) + 1min;
  entry.aliasActive = true;
  report.bindings.push_back(entry);
  auto parsed = parseAgentReport(toJson(report));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->bindings.size(), 1u);
  EXPECT_EQ(parsed->bindings[0].robotName, entry.robotName);
  EXPECT_EQ(parsed->bindings[0].nextRefreshTime, entry.nextRefreshTime);
  EXPECT_TRUE(parsed->bindings[0].aliasActive);

  json broken = toJson(report);
  broken["bindings"][0]["lastRefreshTime"] = "yesterday";
  auto refused = parseAgentReport(broken);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message().rfind("bindings[0].lastRefreshTime: \"yesterday\"", 0), 0u)
      << refused.error().message();
}

TEST(HubProtocolTest, TheSpecHashFollowsWhatTheCredentialIsFor) {
  BindingSpec spec;
  spec.project = "team";
  spec.access = {{"pull", "repository"}};
  spec.generatedSecretName = "s";
  const auto base = credentialSpecHash(spec, "https://h1", std::nullopt);
  EXPECT_EQ(base, credentialSpecHash(spec, "https://h1", std::nullopt));
  EXPECT_NE(base, credentialSpecHash(spec, "https://h2", std::nullopt));
  EXPECT_NE(base, credentialSpecHash(spec, "https://h1", std::string("https://alias")));
  BindingSpec push = spec;
  push.access.push_back({"push", "repository"});
  EXPECT_NE(base, credentialSpecHash(push, "https://h1", std::nullopt));
  BindingSpec renamed = spec;
  renamed.generatedSecretName = "t";
  EXPECT_NE(base, credentialSpecHash(renamed, "https://h1", std::nullopt));
  BindingSpec refresh = spec;
  refresh.refreshInterval = std::chrono::hours(1);
  EXPECT_EQ(base, credentialSpecHash(refresh, "https://h1", std::nullopt))
      << "a new refresh interval needs no new credential";
}

} // namespace
} // namespace harborrobot::reconcile

// The pure parts of a namespace agent's pass: our Secrets, orphans, a frozen
// binding's Secrets and what each ServiceAccount should list.
#include "harborrobot/namespaceagent/pass_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/namespaceagent/secret_labels.h"

namespace harborrobot::namespaceagent {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

json secretOf(std::string name, std::string binding, bool managed = true) {
  json object = {{"metadata", {{"name", std::move(name)}}}};
  if (managed) {
    object["metadata"]["labels"][std::string(kManagedByLabel)] = kManagedByValue;
  }
  if (!binding.empty()) {
    object["metadata"]["annotations"][std::string(kBindingAnnotation)] = std::move(binding);
  }
  return object;
}

json accountOf(std::string name, std::vector<std::string> pullSecrets) {
  json object = {{"metadata", {{"name", std::move(name)}}}};
  object["imagePullSecrets"] = json::array();
  for (auto& secret : pullSecrets) {
    object["imagePullSecrets"].push_back({{"name", std::move(secret)}});
  }
  return object;
}

TEST(SignalFingerprint, IsTheHubsAnnotationOrNothing) {
  json signal;
  signal["metadata"]["annotations"][std::string(reconcile::kAgentSignalAnnotation)] = "abc123";
  EXPECT_EQ(signalFingerprint(signal), "abc123");
  EXPECT_EQ(signalFingerprint(json::object()), "");
  EXPECT_EQ(signalFingerprint({{"metadata", "not an object"}}), "");
}

TEST(ManagedByUs, NeedsOurManagedByLabel) {
  EXPECT_TRUE(managedByUs(secretOf("a", "")));
  EXPECT_FALSE(managedByUs(secretOf("a", "b", false)));
  json other = secretOf("a", "b", false);
  other["metadata"]["labels"][std::string(kManagedByLabel)] = "helm";
  EXPECT_FALSE(managedByUs(other));
}

TEST(AliasSecretName, IsTheMainNameWithTheAliasSuffix) {
  reconcile::AgentBinding binding;
  binding.secretName = "harbor-pull";
  EXPECT_EQ(aliasSecretName(binding), "harbor-pull.alias");
}

TEST(ManagedSecretNames, AreOnlyOurs) {
  const std::vector<json> secrets = {secretOf("a", "x"), secretOf("helm", "", false),
                                     secretOf("b", "")};
  EXPECT_THAT(managedSecretNames(secrets), ElementsAre("a", "b"));
}

TEST(SecretsOfBinding, AreOursAnnotatedWithThatBinding) {
  const std::vector<json> secrets = {secretOf("a", "x"), secretOf("a.alias", "x"),
                                     secretOf("b", "y"), secretOf("c", "x", false)};
  EXPECT_THAT(secretsOfBinding(secrets, "x"), ElementsAre("a", "a.alias"));
  EXPECT_THAT(secretsOfBinding(secrets, "z"), IsEmpty());
}

TEST(OrphanedSecrets, AreOursOfBindingsNoLongerListed) {
  const std::vector<json> secrets = {secretOf("a", "kept"), secretOf("b", "gone"),
                                     secretOf("c", ""), secretOf("d", "gone", false)};
  const auto orphans = orphanedSecrets(secrets, {"kept"});
  ASSERT_EQ(orphans.size(), 1U);
  EXPECT_EQ(orphans[0].name, "b");
  EXPECT_EQ(orphans[0].binding, "gone");
  EXPECT_EQ(orphans[0].object, secrets[1]);
}

TEST(ServiceAccountPlan, ListsMainSecretsBeforeAliasCopies) {
  ServiceAccountPlan plan;
  plan.want("default", {"a", "a.alias"});
  plan.want("default", {"b", "b.alias"});
  plan.want("builder", {"c"});
  EXPECT_THAT(plan.accounts(),
              ElementsAre(Pair("builder", ElementsAre("c")),
                          Pair("default", ElementsAre("a", "b", "a.alias", "b.alias"))));
}

TEST(ServiceAccountPlan, ABindingWithoutAnAccountNamesNone) {
  ServiceAccountPlan plan;
  plan.want("", {"a"});
  EXPECT_THAT(plan.accounts(), IsEmpty());
}

TEST(ServiceAccountPlan, AnAccountNamingOneOfOurSecretsIsBroughtInLineWithNothingWanted) {
  ServiceAccountPlan plan;
  plan.want("default", {"a"});
  plan.includeAccountsNaming({accountOf("default", {"a"}), accountOf("old", {"other", "gone"}),
                              accountOf("unrelated", {"other"}), json{{"metadata", {}}}},
                             {"a", "gone"});
  EXPECT_THAT(plan.accounts(),
              ElementsAre(Pair("default", ElementsAre("a")), Pair("old", IsEmpty())));
}

} // namespace
} // namespace harborrobot::namespaceagent

// `kubectl harborrobot bind`: the binding it writes has the documentation's
// shape, and a bad flag is named before anything is sent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/binding_request.h"

namespace harborrobot::cli {
namespace {

using ::testing::HasSubstr;

BindingRequest request() {
  BindingRequest r;
  r.name = "team-pull";
  r.project = "team";
  r.namespaces = {"team-a", "team-b"};
  return r;
}

TEST(BindingRequest, TheDocumentationsShapeWithItsDefaults) {
  const auto binding = buildBinding(request());
  ASSERT_TRUE(binding) << binding.error().message();
  EXPECT_EQ(*binding, nlohmann::json::parse(R"({
    "apiVersion": "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1",
    "kind": "HarborRobotBinding",
    "metadata": {"name": "team-pull"},
    "spec": {
      "namespaces": {"names": ["team-a", "team-b"]},
      "generatedSecret": {"name": "team-pull-harbor-pull"},
      "harbor": {
        "project": "team",
        "robot": {"access": [{"action": "pull", "resource": "repository"}]},
        "secret": {"name": "harbor", "namespace": "harbor-robot-gen-system"}
      },
      "refreshInterval": "6h",
      "serviceAccount": {"name": "default"}
    }})"));
}

TEST(BindingRequest, SelectorsBecomeMatchLabelsAndMatchExpressions) {
  auto r = request();
  r.namespaces.clear();
  r.selector = "team=a,env in (prod,staging)";
  r.serviceAccount.clear();
  const auto binding = buildBinding(r);
  ASSERT_TRUE(binding) << binding.error().message();
  const auto& selector = (*binding)["spec"]["namespaces"]["selector"];
  EXPECT_EQ(selector["matchLabels"], nlohmann::json({{"team", "a"}}));
  EXPECT_EQ(selector["matchExpressions"][0]["operator"], "In");
  EXPECT_FALSE((*binding)["spec"].contains("serviceAccount"));
}

TEST(BindingRequest, ExactlyOneWayToNameNamespaces) {
  auto both = request();
  both.selector = "team=a";
  auto neither = request();
  neither.namespaces.clear();
  for (const auto& r : {both, neither}) {
    const auto binding = buildBinding(r);
    ASSERT_FALSE(binding);
    EXPECT_EQ(binding.error().message(),
              "--namespaces/--selector: need exactly one (expected --namespaces a,b or "
              "--selector key=value)");
  }
  auto empty = request();
  empty.namespaces.clear();
  empty.selector = ",";
  EXPECT_FALSE(buildBinding(empty));
}

TEST(BindingRequest, AccessIsWhatHarborGrantsProjectRobots) {
  const auto list = robotAccessList({"pull", "push", "artifact:read"});
  ASSERT_TRUE(list) << list.error().message();
  EXPECT_EQ(*list, nlohmann::json::parse(R"([
    {"action": "pull", "resource": "repository"},
    {"action": "push", "resource": "repository"},
    {"action": "read", "resource": "artifact"}])"));
  const auto bad = robotAccessList({"pull", "repository:fly"});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("--access"));
  EXPECT_THAT(bad.error().message(), HasSubstr("repository:fly"));
  EXPECT_THAT(bad.error().message(), HasSubstr("is not a Harbor robot permission"));
}

TEST(BindingRequest, TheCoreParserHasTheLastWord) {
  auto r = request();
  r.refresh = "1d"; // Go durations have no days
  const auto binding = buildBinding(r);
  ASSERT_FALSE(binding);
  EXPECT_THAT(binding.error().message(), HasSubstr("refreshInterval"));
}

} // namespace
} // namespace harborrobot::cli

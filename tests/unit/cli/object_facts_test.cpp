#include <gtest/gtest.h>

#include "harborrobot/cli/object_facts.h"

namespace harborrobot::cli {
namespace {

TEST(ObjectFacts, ConditionTrueOnlyForTheNamedTypeWithStatusTrue) {
  const nlohmann::json crd = {{"status",
                               {{"conditions",
                                 {{{"type", "NamesAccepted"}, {"status", "True"}},
                                  {{"type", "Established"}, {"status", "False"}}}}}}};
  EXPECT_TRUE(conditionTrue(crd, "NamesAccepted"));
  EXPECT_FALSE(conditionTrue(crd, "Established"));
  EXPECT_FALSE(conditionTrue(crd, "Terminating"));
  EXPECT_FALSE(conditionTrue(nlohmann::json::object(), "Established"));
}

TEST(ObjectFacts, TheVersionInAnImageTag) {
  EXPECT_EQ(imageTag("ghcr.io/harborrobot/harborrobot-agent:0.1.0"), "0.1.0");
  EXPECT_EQ(imageTag("harbor.local:8443/library/agent"), "harbor.local:8443/library/agent");
  EXPECT_EQ(imageTag("harbor.local:8443/library/agent:1.2"), "1.2");
  EXPECT_EQ(imageTag("agent@sha256:abcd"), "agent@sha256:abcd");
}

TEST(ObjectFacts, TheFirstContainersImage) {
  const nlohmann::json deployment = {
      {"spec",
       {{"template",
         {{"spec",
           {{"containers", {{{"name", "hub"}, {"image", "a:1"}}, {{"image", "b:2"}}}}}}}}}}};
  EXPECT_EQ(firstContainerImage(deployment), "a:1");
  EXPECT_EQ(firstContainerImage(nlohmann::json::object()), "");
  EXPECT_EQ(firstContainerImage({{"spec", {{"template", {{"spec", {{"containers", "x"}}}}}}}}), "");
  EXPECT_EQ(firstContainerImage(
                {{"spec", {{"template", {{"spec", {{"containers", {{{"image", 7}}}}}}}}}}}),
            "");
}

} // namespace
} // namespace harborrobot::cli

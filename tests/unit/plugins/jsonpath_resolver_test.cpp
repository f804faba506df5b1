// The seed's projectFieldsPath, through the real "jsonpath" resolver plugin.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harborrobot/plugin/host.h"

namespace harborrobot::plugin {
namespace {

class JsonPathResolverTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto loaded = host_.loadDirectory(HARBORROBOT_PLUGIN_DIR);
    ASSERT_TRUE(loaded) << loaded.error().message();
  }

  Host host_;
  // The seed's annotation, with its escaped dot.
  const std::string seedPath_ = R"({.metadata.labels.cpaas\.io/inner-namespace})";
};

nlohmann::json namespaceWithLabels(nlohmann::json labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", "team-ns1"}, {"labels", std::move(labels)}}}};
}

TEST_F(JsonPathResolverTest, ResolvesTheSeedsLabel) {
  auto resolver = host_.makeProjectResolver("jsonpath", seedPath_);
  ASSERT_TRUE(resolver) << resolver.error().message();
  auto project = (*resolver)->resolve(namespaceWithLabels({{"cpaas.io/inner-namespace", "team"}}));
  ASSERT_TRUE(project) << project.error().message();
  EXPECT_EQ(*project, std::optional<std::string>("team"));
}

TEST_F(JsonPathResolverTest, ANamespaceWithoutTheFieldHasNoProject) {
  auto resolver = host_.makeProjectResolver("jsonpath", seedPath_);
  ASSERT_TRUE(resolver);
  auto missing = (*resolver)->resolve(namespaceWithLabels({{"other", "x"}}));
  ASSERT_TRUE(missing) << missing.error().message();
  EXPECT_FALSE(missing->has_value());
  auto empty = (*resolver)->resolve(namespaceWithLabels({{"cpaas.io/inner-namespace", ""}}));
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
}

TEST_F(JsonPathResolverTest, AMalformedExpressionIsRefusedWhenCreated) {
  auto resolver = host_.makeProjectResolver("jsonpath", "{.metadata.labels[");
  ASSERT_FALSE(resolver);
  EXPECT_NE(resolver.error().message().find("{.metadata.labels["), std::string::npos)
      << resolver.error().message();
}

} // namespace
} // namespace harborrobot::plugin

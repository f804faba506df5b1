// A connection's plugin choices against the plugins the host really loaded
// (the four the project builds).
#include "harborrobot/plugin/connection_plugins.h"

#include <gtest/gtest.h>

namespace harborrobot::plugin {
namespace {

class ConnectionPluginsTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto loaded = host_.loadDirectory(HARBORROBOT_PLUGIN_DIR);
    ASSERT_TRUE(loaded) << loaded.error().message();
    connection_.name = "harbor";
    connection_.url = "https://harbor.example.com";
  }

  std::string messageFor(const HarborConnection& connection) const {
    auto checked = checkConnectionPlugins(connection, host_);
    return checked ? std::string("ok") : checked.error().message();
  }

  Host host_;
  HarborConnection connection_;
};

TEST_F(ConnectionPluginsTest, TheDefaultsAreLoaded) {
  connection_.alias = "https://harbor.internal";
  connection_.projectFieldsPath = R"({.metadata.labels.cpaas\.io/inner-namespace})";
  EXPECT_EQ(messageFor(connection_), "ok");
  connection_.aliasPolicy = "Always";
  EXPECT_EQ(messageFor(connection_), "ok");
}

TEST_F(ConnectionPluginsTest, AnUnknownProviderNamesTheLoadedOnes) {
  connection_.provider = "quay";
  EXPECT_EQ(messageFor(connection_),
            R"(metadata.annotations[harborrobot.io/provider]: "quay" names no loaded provider )"
            R"(plugin (expected one of: harbor))");
}

TEST_F(ConnectionPluginsTest, TheAliasPolicyCountsOnlyWithAnAlias) {
  connection_.aliasPolicy = "Sometimes";
  EXPECT_EQ(messageFor(connection_), "ok");
  connection_.alias = "https://harbor.internal";
  EXPECT_EQ(messageFor(connection_),
            R"(url.alias.policy: "Sometimes" names no loaded alias-policy plugin )"
            R"((expected one of: Always, IfIPEqual))");
}

TEST_F(ConnectionPluginsTest, TheResolverCountsOnlyWithAProjectFieldsPath) {
  connection_.projectResolver = "cel";
  EXPECT_EQ(messageFor(connection_), "ok");
  connection_.projectFieldsPath = "{.metadata.name}";
  EXPECT_EQ(messageFor(connection_),
            R"(metadata.annotations[harborrobot.io/project-resolver]: "cel" names no loaded )"
            R"(project-resolver plugin (expected one of: jsonpath))");
}

TEST_F(ConnectionPluginsTest, AnExpressionTheResolverRefusesIsTheConnectionsError) {
  connection_.projectFieldsPath = "{.metadata.labels[";
  const std::string message = messageFor(connection_);
  EXPECT_TRUE(message.starts_with(
      "metadata.annotations[harbor-robot-gen/projectFieldsPath]: project resolver \"jsonpath\": "))
      << message;
}

TEST(ConnectionPlugins, NothingLoadedSaysSo) {
  Host empty;
  HarborConnection connection;
  const auto checked = checkConnectionPlugins(connection, empty);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message(),
            R"(metadata.annotations[harborrobot.io/provider]: "harbor" names no loaded provider )"
            R"(plugin (expected a plugin of that kind in the plugin directory (none is loaded)))");
}

} // namespace
} // namespace harborrobot::plugin

// In-cluster configuration and token sources, with the files in a temp directory.
#include "harborrobot/kube/rest_config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace harborrobot::kube {
namespace {

class InClusterTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("harborrobot-incluster-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    write("token", "projected-token\n");
    write("ca.crt", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
    env_ = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  Result<RestConfig> load() {
    return inClusterConfig({dir_}, [this](const char* name) -> const char* {
      const auto found = env_.find(name);
      return found == env_.end() ? nullptr : found->second.c_str();
    });
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(InClusterTest, ReadsServerCaTokenAndNamespace) {
  write("namespace", "team-ns1\n");
  auto config = load();
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->tls.caPem.substr(0, 27), "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(config->ns, "team-ns1");
  auto token = config->tokens->token(false);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->reveal(), "projected-token");
}

TEST_F(InClusterTest, BracketsIpv6Hosts) {
  env_["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  auto config = load();
  ASSERT_TRUE(config);
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
}

TEST_F(InClusterTest, NamespaceFromEnvironmentThenFileThenDefault) {
  write("namespace", "from-file");
  env_["POD_NAMESPACE"] = "from-env";
  EXPECT_EQ(load()->ns, "from-env");
  env_.erase("POD_NAMESPACE");
  EXPECT_EQ(load()->ns, "from-file");
  std::filesystem::remove(dir_ / "namespace");
  EXPECT_EQ(load()->ns, "default");
}

TEST_F(InClusterTest, MissingEnvironmentIsTheClientGoMessage) {
  env_.erase("KUBERNETES_SERVICE_PORT");
  auto config = load();
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
            "KUBERNETES_SERVICE_PORT must be defined");
}

TEST_F(InClusterTest, MissingCaIsNamed) {
  std::filesystem::remove(dir_ / "ca.crt");
  auto config = load();
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "in-cluster configuration: reading " + (dir_ / "ca.crt").string() + ": cannot open");
}

TEST(FileTokenSource, RereadsAfterMaxAgeAndKeepsTheLastGoodTokenOnReadFailure) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("harborrobot-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "one";
  auto now = std::chrono::steady_clock::time_point{};
  FileTokenSource source(dir / "token", std::chrono::seconds(60), [&] { return now; });
  EXPECT_EQ(source.token(false)->reveal(), "one");
  std::ofstream(dir / "token") << "two";
  now += std::chrono::seconds(30);
  EXPECT_EQ(source.token(false)->reveal(), "one");
  now += std::chrono::seconds(31);
  EXPECT_EQ(source.token(false)->reveal(), "two");
  std::filesystem::remove(dir / "token");
  EXPECT_EQ(source.token(true)->reveal(), "two");
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace harborrobot::kube

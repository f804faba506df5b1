// The failover role's flags, with the DR guide's single-dash spellings.
#include "harborrobot/failover/flags.h"

#include <gtest/gtest.h>

namespace harborrobot::failover {
namespace {

TEST(FailoverFlags, ReadsEveryFlagWithDefaults) {
  auto flags = parseFailoverFlags({"--config", "/etc/failover/config.yaml"});
  ASSERT_TRUE(flags) << flags.error().message();
  EXPECT_EQ(flags->config, "/etc/failover/config.yaml");
  EXPECT_EQ(flags->listen, "0.0.0.0:8080");
  EXPECT_EQ(flags->level, LogLevel::kInfo);
  EXPECT_EQ(flags->inClusterDir, "/var/run/secrets/kubernetes.io/serviceaccount");
}

TEST(FailoverFlags, AcceptsTheDrGuidesSingleDashSpelling) {
  auto flags = parseFailoverFlags({"-config", "c.yaml", "-listen", "127.0.0.1:9", "--log-level",
                                   "debug", "--in-cluster-dir", "/sa"});
  ASSERT_TRUE(flags) << flags.error().message();
  EXPECT_EQ(flags->config, "c.yaml");
  EXPECT_EQ(flags->listen, "127.0.0.1:9");
  EXPECT_EQ(flags->level, LogLevel::kDebug);
  EXPECT_EQ(flags->inClusterDir, "/sa");
}

TEST(FailoverFlags, TheConfigIsRequired) {
  auto flags = parseFailoverFlags({"--listen", ":8080"});
  ASSERT_FALSE(flags);
  EXPECT_EQ(flags.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(flags.error().message(), "--config is required");
}

TEST(FailoverFlags, ABadLogLevelIsRefusedBeforeTheMissingConfig) {
  auto flags = parseFailoverFlags({"--log-level", "loud"});
  ASSERT_FALSE(flags);
  EXPECT_NE(flags.error().message().find("loud"), std::string::npos);
}

TEST(FailoverFlags, HelpIsAnErrorWithoutAMessage) {
  auto flags = parseFailoverFlags({"--help"});
  ASSERT_FALSE(flags);
  EXPECT_EQ(flags.error().message(), "");
}

} // namespace
} // namespace harborrobot::failover

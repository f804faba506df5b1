// The agent roles' flags: both spellings, aliases, repeats, and the errors a
// typo gets (a silently ignored flag would run a role with a default).
#include "harborrobot/util/role_flags.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

const RoleFlagSet kSet{.known = {"--config", "--listen", "--dns-server"},
                       .repeatable = {"--dns-server"},
                       .aliases = {{"-config", "--config"}}};

TEST(RoleFlags, ReadsBothSpellingsAndKeepsTheLastValue) {
  auto flags = RoleFlags::parse({"--config", "a.yaml", "--listen=127.0.0.1:9", "--listen", "x"},
                                {.known = {"--config", "--listen"}, .repeatable = {"--listen"}});
  ASSERT_TRUE(flags) << flags.error().message();
  EXPECT_EQ(flags->get("--config", "none"), "a.yaml");
  EXPECT_EQ(flags->get("--listen", "none"), "x");
  EXPECT_EQ(flags->all("--listen"), (std::vector<std::string>{"127.0.0.1:9", "x"}));
}

TEST(RoleFlags, AbsentFlagGivesTheFallback) {
  auto flags = RoleFlags::parse({}, kSet);
  ASSERT_TRUE(flags);
  EXPECT_FALSE(flags->has("--config"));
  EXPECT_EQ(flags->get("--config", "default.yaml"), "default.yaml");
  EXPECT_TRUE(flags->all("--dns-server").empty());
}

TEST(RoleFlags, AnEmptyValueIsKeptAsGiven) {
  auto flags = RoleFlags::parse({"--listen="}, kSet);
  ASSERT_TRUE(flags);
  EXPECT_TRUE(flags->has("--listen"));
  EXPECT_EQ(flags->get("--listen", "fallback"), "");
}

TEST(RoleFlags, AliasesAreStoredUnderTheCanonicalName) {
  auto flags = RoleFlags::parse({"-config", "dr.yaml"}, kSet);
  ASSERT_TRUE(flags) << flags.error().message();
  EXPECT_EQ(flags->get("--config", ""), "dr.yaml");
  auto joined = RoleFlags::parse({"-config=dr2.yaml"}, kSet);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->get("--config", ""), "dr2.yaml");
}

TEST(RoleFlags, RepeatableFlagsCollectEveryValue) {
  auto flags = RoleFlags::parse({"--dns-server", "10.0.0.1", "--dns-server=10.0.0.2:53"}, kSet);
  ASSERT_TRUE(flags);
  EXPECT_EQ(flags->all("--dns-server"), (std::vector<std::string>{"10.0.0.1", "10.0.0.2:53"}));
}

TEST(RoleFlags, RefusesWhatItCannotRead) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--confg", "a.yaml"}, "unknown flag --confg"},
      {{"--confg=a.yaml"}, "unknown flag --confg"},
      {{"a.yaml"}, "unknown flag a.yaml"},
      {{"--config"}, "flag --config needs a value"},
      {{"-config"}, "flag -config needs a value"},
      {{"--config", "a", "--config", "b"}, "flag --config is given more than once"},
      {{"--config", "a", "-config=b"}, "flag --config is given more than once"},
  };
  for (const auto& [args, message] : cases) {
    auto flags = RoleFlags::parse(args, kSet);
    ASSERT_FALSE(flags) << args.front();
    EXPECT_EQ(flags.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(flags.error().message(), message);
  }
}

TEST(RoleFlags, HelpIsAnErrorWithoutAMessage) {
  for (const std::string help : {"--help", "-h"}) {
    auto flags = RoleFlags::parse({"--config", "a", help}, kSet);
    ASSERT_FALSE(flags);
    EXPECT_EQ(flags.error().message(), "");
  }
}

} // namespace
} // namespace harborrobot

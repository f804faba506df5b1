// JSON log lines, derived loggers, levels, and the compile-time secret rule.
#include "harborrobot/observability/logger.h"

#include <type_traits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/observability/redact.h"

namespace harborrobot {
namespace {

static_assert(!std::is_constructible_v<LogField, std::string_view, const SecretString&>,
              "a SecretString must never be loggable");
static_assert(!std::is_convertible_v<SecretString, std::string>,
              "a SecretString must not turn into a string by accident");

struct Captured {
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
};

const auto kTime = std::chrono::system_clock::time_point{} + std::chrono::seconds(1747305221) +
                   std::chrono::milliseconds(42);

TEST(Logger, WritesOneJsonObjectPerLineInAFixedKeyOrder) {
  Captured captured;
  Logger logger("hub", captured.sink(), LogLevel::kInfo, [] { return kTime; });
  logger.info("robot created", {{"binding", "harbor-secret-for-team"},
                                {"generation", 3},
                                {"ready", true},
                                {"seconds", 1.5}});
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(
      captured.lines[0],
      R"({"ts":"2025-05-15T10:33:41.042Z","level":"info","component":"hub","msg":"robot created","binding":"harbor-secret-for-team","generation":3,"ready":true,"seconds":1.5})");
}

TEST(Logger, DerivedLoggersCarryTheirFieldsAndLevelsFilter) {
  Captured captured;
  Logger logger("agent", captured.sink(), LogLevel::kWarn, [] { return kTime; });
  const Logger scoped = logger.with({{"namespace", "team-ns1"}});
  scoped.info("not shown");
  scoped.debug("not shown either");
  scoped.warn("alias removed", {{"reason", "DNS switched"}});
  ASSERT_EQ(captured.lines.size(), 1u);
  const auto line = nlohmann::json::parse(captured.lines[0]);
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["namespace"], "team-ns1");
  EXPECT_EQ(line["reason"], "DNS switched");
}

TEST(Logger, ControlCharactersAndInvalidUtf8StayOnOneLine) {
  Captured captured;
  Logger logger("hub", captured.sink());
  logger.error("bad\nvalue", {{"input", std::string("a\xff\x01z")}});
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(captured.lines[0].find('\n'), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(captured.lines[0]));
}

TEST(Redact, ScrubsCredentialsFromForeignText) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer [redacted]"},
      {"authorization: Basic YWRtaW46cGFzcw==", "authorization: Basic [redacted]"},
      {R"({"name":"robot$team+x","secret":"s3cr3tS3cr3t"})",
       R"({"name":"robot$team+x","secret":"[redacted]"})"},
      {R"({"password": "p\"w"})", R"({"password": "[redacted]"})"},
      {"GET /x?token=abc&page=2", "GET /x?token=[redacted]&page=2"},
      {"https://admin:Harbor12345@harbor.example.com/api",
       "https://admin:[redacted]@harbor.example.com/api"},
      {"nothing to hide here", "nothing to hide here"},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(redactSecrets(input), expected) << input;
  }
}

TEST(ParseLogLevel, ReadsTheFourLevelsAndRefusesAnythingElse) {
  EXPECT_EQ(parseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(parseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(parseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(parseLogLevel("error"), LogLevel::kError);
  const auto typo = parseLogLevel("verbose");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message(),
            "--log-level: \"verbose\" is not a log level (expected debug, info, warn or error)");
  EXPECT_FALSE(parseLogLevel("INFO")) << "case matters, as in every flag value";
  EXPECT_FALSE(parseLogLevel(""));
}

} // namespace
} // namespace harborrobot

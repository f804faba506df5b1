// The watchdog's config.yaml: the seed's example, defaults, and every key wrong.
#include "harborrobot/failover/config.h"

#include <gtest/gtest.h>

namespace harborrobot::failover {
namespace {

const std::string kSeedConfig = R"(condition_check_script: /scripts/check.sh
start_script: /scripts/start.sh
stop_script: /scripts/stop.sh
status_script: /scripts/status.sh
check_interval: 10s
failure_threshold: 3
script_timeout: 120s
)";

TEST(FailoverConfig, TheSeedsConfigMapConfig) {
  auto config = parseFailoverConfig(kSeedConfig);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->conditionCheckScript, "/scripts/check.sh");
  EXPECT_EQ(config->startScript, "/scripts/start.sh");
  EXPECT_EQ(config->stopScript, "/scripts/stop.sh");
  EXPECT_EQ(config->statusScript, "/scripts/status.sh");
  EXPECT_EQ(config->checkInterval, std::chrono::seconds(10));
  EXPECT_EQ(config->failureThreshold, 3);
  EXPECT_EQ(config->scriptTimeout, std::chrono::seconds(120));
}

TEST(FailoverConfig, TheSeedsDocumentedExampleWithComments) {
  auto config = parseFailoverConfig(
      R"(condition_check_script: /path/to/condition_check.sh # Path to the condition check script.
start_script: /path/to/start.sh # activates Harbor
stop_script: /path/to/stop.sh # deactivates Harbor
status_script: /path/to/status.sh # started, stopped, or unknown
check_interval: 30s # Interval between condition check script executions
failure_threshold: 6 # consecutive failures before stop
script_timeout: 120s # Maximum execution time for each script.
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->checkInterval, std::chrono::seconds(30));
  EXPECT_EQ(config->failureThreshold, 6);
}

TEST(FailoverConfig, EachKeyWrongNamesKeyValueAndExpectation) {
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
      {{"check_interval: 10s", "check_interval: 10"},
       R"(check_interval: "10" is not a duration (expected a Go duration such as 30s or 2m))"},
      {{"check_interval: 10s", "check_interval: -5s"},
       R"(check_interval: "-5s" is not positive (expected a duration above 0, e.g. 30s))"},
      {{"script_timeout: 120s", "script_timeout: two minutes"},
       R"(script_timeout: "two minutes" is not a duration (expected a Go duration such as 30s or 2m))"},
      {{"failure_threshold: 3", "failure_threshold: 0"},
       R"(failure_threshold: "0" is not a positive whole number (expected e.g. 3))"},
      {{"failure_threshold: 3", "failure_threshold: three"},
       R"(failure_threshold: "three" is not a positive whole number (expected e.g. 3))"},
      {{"failure_threshold: 3", "failure_threshold: 2.5"},
       R"(failure_threshold: "2.5" is not a positive whole number (expected e.g. 3))"},
      {{"condition_check_script: /scripts/check.sh\n", ""},
       R"(condition_check_script: is required (expected the path of a script))"},
      {{"start_script: /scripts/start.sh", "start_script: 42"},
       R"(start_script: "42" is not a script path (expected a path such as /scripts/check.sh))"},
      {{"stop_script: /scripts/stop.sh", "stop_script: \"\""},
       R"(stop_script: "" is not a script path (expected a path such as /scripts/check.sh))"},
      {{"status_script: /scripts/status.sh\n", ""},
       R"(status_script: is required (expected the path of a script))"},
      {{"failure_threshold: 3", "failure_treshold: 3"},
       R"(failure_treshold: "failure_treshold" is not a known key (expected one of condition_check_script, start_script, stop_script, status_script, check_interval, failure_threshold, script_timeout))"},
      {{"check_interval: 10s", "check_interval: [10s"},
       R"(config: yaml: line 6, column 18: end of sequence flow not found)"},
  };
  for (const auto& [edit, message] : cases) {
    std::string text = kSeedConfig;
    text.replace(text.find(edit.first), edit.first.size(), edit.second);
    auto config = parseFailoverConfig(text);
    ASSERT_FALSE(config) << edit.second;
    EXPECT_EQ(config.error().message(), message) << edit.second;
  }
}

TEST(FailoverConfig, NumbersDefaultWhenAbsent) {
  auto config = parseFailoverConfig(R"(condition_check_script: /c
start_script: /s
stop_script: /t
status_script: /u
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->checkInterval, std::chrono::seconds(30));
  EXPECT_EQ(config->failureThreshold, 3);
  EXPECT_EQ(config->scriptTimeout, std::chrono::seconds(120));
}

} // namespace
} // namespace harborrobot::failover

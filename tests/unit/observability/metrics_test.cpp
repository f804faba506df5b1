// The Prometheus registry: exposition text exactly, validation, duplicates.
#include "harborrobot/observability/metrics.h"

#include <sstream>

#include <gtest/gtest.h>

namespace harborrobot::metrics {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistogramsInTextFormat) {
  Registry registry;
  auto calls = registry.counter("harborrobot_harbor_calls_total", "Harbor API calls.",
                                {"operation", "result"});
  auto queue = registry.gauge("harborrobot_queue_depth", "Keys waiting.");
  auto latency = registry.histogram("harborrobot_harbor_call_seconds", "Harbor call latency.",
                                    {0.1, 1}, {"operation"});
  ASSERT_TRUE(calls && queue && latency);
  (*calls)->inc({"createRobot", "ok"});
  (*calls)->inc({"createRobot", "ok"});
  (*calls)->inc({"createRobot", "error"});
  (*queue)->set(7);
  (*latency)->observe(0.05, {"createRobot"});
  (*latency)->observe(0.5, {"createRobot"});
  (*latency)->observe(3, {"createRobot"});
  // Families in registration order; a histogram's count and sum before its
  // buckets, as prometheus-cpp's TextSerializer writes them.
  EXPECT_EQ(registry.render(),
            "# HELP harborrobot_harbor_calls_total Harbor API calls.\n"
            "# TYPE harborrobot_harbor_calls_total counter\n"
            "harborrobot_harbor_calls_total{operation=\"createRobot\",result=\"error\"} 1\n"
            "harborrobot_harbor_calls_total{operation=\"createRobot\",result=\"ok\"} 2\n"
            "# HELP harborrobot_queue_depth Keys waiting.\n"
            "# TYPE harborrobot_queue_depth gauge\n"
            "harborrobot_queue_depth 7\n"
            "# HELP harborrobot_harbor_call_seconds Harbor call latency.\n"
            "# TYPE harborrobot_harbor_call_seconds histogram\n"
            "harborrobot_harbor_call_seconds_count{operation=\"createRobot\"} 3\n"
            "harborrobot_harbor_call_seconds_sum{operation=\"createRobot\"} 3.55\n"
            "harborrobot_harbor_call_seconds_bucket{operation=\"createRobot\",le=\"0.1\"} 1\n"
            "harborrobot_harbor_call_seconds_bucket{operation=\"createRobot\",le=\"1\"} 2\n"
            "harborrobot_harbor_call_seconds_bucket{operation=\"createRobot\",le=\"+Inf\"} 3\n");
  EXPECT_EQ((*calls)->value({"createRobot", "ok"}), 2);
  EXPECT_EQ((*latency)->count({"createRobot"}), 3u);
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Registry registry;
  auto events = registry.counter("events_total", "Line one\nback\\slash", {"reason"});
  ASSERT_TRUE(events);
  (*events)->inc({"say \"hi\"\n"});
  const std::string text = registry.render();
  EXPECT_NE(text.find("# HELP events_total Line one\\nback\\\\slash\n"), std::string::npos);
  EXPECT_NE(text.find("events_total{reason=\"say \\\"hi\\\"\\n\"} 1\n"), std::string::npos);
}

TEST(Metrics, RefusesBadNamesAndDuplicates) {
  Registry registry;
  ASSERT_TRUE(registry.counter("a_total", "x"));
  auto duplicate = registry.gauge("a_total", "y");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().message(), "metric a_total is already registered");
  auto badName = registry.counter("1bad", "x");
  ASSERT_FALSE(badName);
  EXPECT_EQ(
      badName.error().message(),
      R"(metric name: "1bad" is not a valid Prometheus metric name (expected [a-zA-Z_:][a-zA-Z0-9_:]*))");
  auto badLabel = registry.counter("b_total", "x", {"le"});
  ASSERT_FALSE(badLabel);
  auto badBuckets = registry.histogram("c", "x", {1, 0.5});
  ASSERT_FALSE(badBuckets);
  EXPECT_EQ(
      badBuckets.error().message(),
      "metric c buckets: are empty or not strictly increasing (expected e.g. {0.01, 0.1, 1, 10})");
}

TEST(Metrics, EveryRenderedLineParsesAsExposition) {
  Registry registry;
  auto counter = registry.counter("x_total", "X.", {"k"});
  ASSERT_TRUE(counter);
  for (int i = 0; i < 20; ++i) {
    (*counter)->inc({"v" + std::to_string(i)}, i);
  }
  std::istringstream lines(registry.render());
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(line.starts_with("# HELP x_total ") || line == "# TYPE x_total counter") << line;
      continue;
    }
    const auto space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_TRUE(line.starts_with("x_total{k=\"v")) << line;
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
    ++samples;
  }
  EXPECT_EQ(samples, 20);
}

} // namespace
} // namespace harborrobot::metrics

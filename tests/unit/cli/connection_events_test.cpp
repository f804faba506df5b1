// The hub's verdicts as `connect` and `doctor` read them from Events.
#include <gtest/gtest.h>

#include "harborrobot/cli/connection_events.h"

namespace harborrobot::cli {
namespace {

nlohmann::json event(std::string reason, std::string last, std::string message = "m") {
  return {{"reason", std::move(reason)},
          {"message", std::move(message)},
          {"lastTimestamp", std::move(last)}};
}

TEST(ConnectionEvents, TheNewestVerdictWins) {
  const nlohmann::json list = {
      {"items",
       {event("HarborUnreachable", "2026-12-05T10:00:00Z"),
        event("ConnectionVerified", "2026-12-05T10:05:00Z", "answers as Harbor v2.13.0"),
        event("HarborUserNotAdmin", "2026-12-05T10:01:00Z")}}};
  const auto verdict = newestVerdict(list, "");
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->verified);
  EXPECT_EQ(verdict->reason, "ConnectionVerified");
  EXPECT_EQ(verdict->message, "answers as Harbor v2.13.0");
  EXPECT_EQ(verdict->time, "2026-12-05T10:05:00Z");
}

TEST(ConnectionEvents, VerdictsBeforeAWriteDoNotCount) {
  const nlohmann::json list = {{"items", {event("ConnectionVerified", "2026-12-05T10:00:00Z")}}};
  EXPECT_FALSE(newestVerdict(list, "2026-12-05T10:00:01Z"));
  const auto same = newestVerdict(list, "2026-12-05T10:00:00Z");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->reason, "ConnectionVerified");
  EXPECT_FALSE(newestVerdict(nlohmann::json::object(), ""));
}

TEST(ConnectionEvents, AnUnusableConnectionIsNotVerified) {
  const nlohmann::json list = {{"items", {event("HarborReadOnly", "2026-12-05T10:00:00Z")}}};
  EXPECT_FALSE(newestVerdict(list, "")->verified);
}

TEST(ConnectionEvents, EventTimeFallsBackAsWritersFillIt) {
  EXPECT_EQ(eventTime({{"lastTimestamp", "L"}, {"eventTime", "E"}, {"firstTimestamp", "F"}}), "L");
  EXPECT_EQ(eventTime({{"lastTimestamp", nullptr}, {"eventTime", "E"}}), "E");
  EXPECT_EQ(eventTime({{"firstTimestamp", "F"}}), "F");
  EXPECT_EQ(eventTime(nlohmann::json::object()), "");
}

} // namespace
} // namespace harborrobot::cli

// StopFlag: a request wakes a waiter at once and stays set.
#include "harborrobot/util/stop_flag.h"

#include <thread>

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

TEST(StopFlag, WaitingTimesOutWhileNoStopIsRequested) {
  StopFlag stop;
  EXPECT_FALSE(stop.waitFor(std::chrono::milliseconds(1)));
  EXPECT_FALSE(stop.requested());
  EXPECT_FALSE(stop.flag().load());
}

TEST(StopFlag, ARequestWakesAWaiterAndStaysSet) {
  StopFlag stop;
  std::thread requester([&] { stop.request(); });
  // Far longer than the test may take: only the request ends this wait.
  EXPECT_TRUE(stop.waitFor(std::chrono::minutes(10)));
  requester.join();
  EXPECT_TRUE(stop.requested());
  EXPECT_TRUE(stop.waitFor(std::chrono::nanoseconds(0)));
}

} // namespace
} // namespace harborrobot

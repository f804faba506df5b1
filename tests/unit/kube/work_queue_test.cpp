// WorkQueue with an injected clock and random source: deduplication, exclusive
// processing, delayed keys, backoff doubling with cap and jitter, shutdown.
#include "harborrobot/kube/work_queue.h"

#include <thread>

#include <gtest/gtest.h>

namespace harborrobot::kube {
namespace {

using std::chrono::milliseconds;

class WorkQueueTest : public ::testing::Test {
protected:
  std::chrono::steady_clock::time_point now_{};
  double random_ = 0.5; // no jitter
  WorkQueue queue_{BackoffPolicy{milliseconds(100), milliseconds(1000), 0.2},
                   [this] { return now_; }, [this] { return random_; }};
};

TEST_F(WorkQueueTest, DeduplicatesQueuedKeys) {
  queue_.add("team-ns1");
  queue_.add("team-ns1");
  queue_.add("team-ns2");
  EXPECT_EQ(queue_.size(), 2u);
  EXPECT_EQ(queue_.tryGet(), "team-ns1");
  EXPECT_EQ(queue_.tryGet(), "team-ns2");
  EXPECT_EQ(queue_.tryGet(), std::nullopt);
}

TEST_F(WorkQueueTest, AKeyAddedWhileProcessingComesBackAfterDone) {
  queue_.add("a");
  ASSERT_EQ(queue_.tryGet(), "a");
  queue_.add("a");
  EXPECT_EQ(queue_.tryGet(), std::nullopt) << "never handed to two workers at once";
  queue_.done("a");
  EXPECT_EQ(queue_.tryGet(), "a");
}

TEST_F(WorkQueueTest, DelayedKeysWaitForTheirTimeAndEarlierWins) {
  queue_.addAfter("refresh", milliseconds(500));
  queue_.addAfter("refresh", milliseconds(200));
  EXPECT_EQ(queue_.tryGet(), std::nullopt);
  now_ += milliseconds(199);
  EXPECT_EQ(queue_.tryGet(), std::nullopt);
  now_ += milliseconds(1);
  EXPECT_EQ(queue_.tryGet(), "refresh");
}

TEST_F(WorkQueueTest, BackoffDoublesPerFailureUpToTheCapAndResetsOnForget) {
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(100));
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(200));
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(400));
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(800));
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(1000));
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(1000));
  EXPECT_EQ(queue_.failures("k"), 6);
  queue_.forget("k");
  EXPECT_EQ(queue_.failures("k"), 0);
  EXPECT_EQ(queue_.addRateLimited("k"), milliseconds(100));
}

TEST_F(WorkQueueTest, JitterStaysWithinItsBounds) {
  random_ = 0.0;
  EXPECT_EQ(queue_.addRateLimited("low"), milliseconds(80));
  random_ = 0.999999;
  EXPECT_EQ(queue_.addRateLimited("high"), milliseconds(119));
}

TEST_F(WorkQueueTest, BackoffIsPerKey) {
  queue_.addRateLimited("a");
  queue_.addRateLimited("a");
  EXPECT_EQ(queue_.addRateLimited("b"), milliseconds(100));
}

TEST(WorkQueue, GetBlocksUntilAKeyArrivesAndShutDownReleasesWaiters) {
  WorkQueue queue;
  std::optional<std::string> received;
  std::thread worker([&] { received = queue.get(); });
  queue.add("x");
  worker.join();
  EXPECT_EQ(received, "x");
  std::optional<std::string> afterShutdown = "unset";
  std::thread waiter([&] { afterShutdown = queue.get(); });
  queue.shutDown();
  waiter.join();
  EXPECT_EQ(afterShutdown, std::nullopt);
}

TEST(WorkQueue, GetWaitsForADelayedKeyOnTheRealClock) {
  WorkQueue queue;
  const auto start = std::chrono::steady_clock::now();
  queue.addAfter("later", milliseconds(50));
  EXPECT_EQ(queue.get(), "later");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
}

} // namespace
} // namespace harborrobot::kube

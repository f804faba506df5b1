// GroupCommit: changes waiting behind a write go out together in the next one,
// every caller gets its own batch's outcome, and keys do not wait for each other.
#include "harborrobot/util/group_commit.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

using namespace std::chrono_literals;

// A writer whose writes of one key can be held until released, recording what
// each write carried.
class HeldWriter {
public:
  Status write(const std::string& key, const std::vector<int>& changes) {
    std::unique_lock lock(mutex_);
    writes_.push_back({key, changes});
    changed_.notify_all();
    changed_.wait(lock, [&] { return key != heldKey_ || released_; });
    if (failWith_ && key == heldKey_) {
      return makeError(ErrorCode::kUnavailable, "the store is down");
    }
    return {};
  }
  void hold(std::string key) {
    std::lock_guard lock(mutex_);
    heldKey_ = std::move(key);
  }
  void release(bool fail = false) {
    std::lock_guard lock(mutex_);
    released_ = true;
    failWith_ = fail;
    changed_.notify_all();
  }
  // Waits (with a deadline) until `count` writes have started.
  bool awaitWrites(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return writes_.size() >= count; });
  }
  std::vector<std::pair<std::string, std::vector<int>>> writes() {
    std::lock_guard lock(mutex_);
    return writes_;
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string heldKey_;
  bool released_ = false;
  bool failWith_ = false;
  std::vector<std::pair<std::string, std::vector<int>>> writes_;
};

// A GroupCommit over a HeldWriter, and a wait (with a deadline) for changes to
// queue up behind a held write.
class GroupCommitTest : public ::testing::Test {
protected:
  // Polls the queue's length (GroupCommit has no event for it) until `count`
  // changes wait for the next write of `key`, or 10 s pass.
  bool awaitWaiting(const std::string& key, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (commit.waiting(key) < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return commit.waiting(key) == count;
  }
  std::future<Status> submitLater(std::string key, int change) {
    return std::async(std::launch::async,
                      [this, key = std::move(key), change] { return commit.submit(key, change); });
  }

  HeldWriter writer;
  GroupCommit<int> commit{[this](const std::string& key, const std::vector<int>& changes) {
    return writer.write(key, changes);
  }};
};

TEST_F(GroupCommitTest, ALoneChangeIsWrittenAtOnceByItsCaller) {
  EXPECT_TRUE(commit.submit("a", 7));
  const auto writes = writer.writes();
  ASSERT_EQ(writes.size(), 1U);
  EXPECT_EQ(writes[0].first, "a");
  EXPECT_EQ(writes[0].second, std::vector<int>{7});
}

TEST_F(GroupCommitTest, ChangesArrivingDuringAWriteShareTheNextWrite) {
  writer.hold("binding");
  auto first = submitLater("binding", 0);
  ASSERT_TRUE(writer.awaitWrites(1));
  std::vector<std::future<Status>> waiting;
  for (int change = 1; change <= 20; ++change) {
    waiting.push_back(submitLater("binding", change));
  }
  ASSERT_TRUE(awaitWaiting("binding", 20));
  // None of the twenty can finish while the first write is held.
  EXPECT_EQ(waiting.front().wait_for(0ms), std::future_status::timeout);
  writer.release();
  EXPECT_TRUE(first.get());
  for (auto& result : waiting) {
    EXPECT_TRUE(result.get());
  }
  const auto writes = writer.writes();
  // The first write, then the twenty in as few writes as their arrival allowed:
  // all of them arrived while the first was held, so exactly one more.
  ASSERT_EQ(writes.size(), 2U);
  EXPECT_EQ(writes[0].second, std::vector<int>{0});
  EXPECT_EQ(writes[1].second.size(), 20U);
}

TEST_F(GroupCommitTest, AFailedWriteFailsEveryChangeItCarried) {
  writer.hold("binding");
  auto first = submitLater("binding", 0);
  ASSERT_TRUE(writer.awaitWrites(1));
  auto second = submitLater("binding", 1);
  ASSERT_TRUE(awaitWaiting("binding", 1));
  writer.release(/*fail=*/true);
  const Status firstResult = first.get();
  const Status secondResult = second.get();
  ASSERT_FALSE(firstResult);
  ASSERT_FALSE(secondResult);
  EXPECT_EQ(secondResult.error().message(), "the store is down");
}

TEST_F(GroupCommitTest, AnotherKeyIsNotHeldUpByAWriteInProgress) {
  writer.hold("slow");
  auto slow = submitLater("slow", 1);
  ASSERT_TRUE(writer.awaitWrites(1));
  auto other = submitLater("other", 2);
  ASSERT_EQ(other.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(other.get());
  EXPECT_EQ(slow.wait_for(0ms), std::future_status::timeout);
  writer.release();
  EXPECT_TRUE(slow.get());
}

} // namespace
} // namespace harborrobot

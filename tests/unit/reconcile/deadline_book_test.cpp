#include "harborrobot/reconcile/deadline_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace harborrobot::reconcile {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

const DeadlineBook::Time kStart{};

TEST(DeadlineBook, ExpiresSoonestFirstAndOnlyWhenDue) {
  DeadlineBook book;
  book.arm(7, kStart + 10s);
  book.arm(3, kStart + 5s);
  book.arm(9, kStart + 5s);
  EXPECT_EQ(book.soonest(), kStart + 5s);
  EXPECT_TRUE(book.takeExpired(kStart + 4s).empty());
  EXPECT_THAT(book.takeExpired(kStart + 5s), ElementsAre(3, 9));
  EXPECT_EQ(book.size(), 1u);
  EXPECT_THAT(book.takeExpired(kStart + 60s), ElementsAre(7));
  EXPECT_EQ(book.soonest(), std::nullopt);
}

TEST(DeadlineBook, ArmingAgainMovesTheDeadline) {
  DeadlineBook book;
  book.arm(1, kStart + 5s);
  book.arm(1, kStart + 20s); // headers in, the next request's deadline
  EXPECT_EQ(book.size(), 1u);
  EXPECT_TRUE(book.takeExpired(kStart + 10s).empty());
  EXPECT_THAT(book.takeExpired(kStart + 20s), ElementsAre(1));
}

TEST(DeadlineBook, ADisarmedKeyNeverExpires) {
  DeadlineBook book;
  book.arm(1, kStart + 5s);
  book.arm(2, kStart + 5s);
  book.disarm(1);
  book.disarm(42); // never armed: nothing happens
  EXPECT_THAT(book.takeExpired(kStart + 5s), ElementsAre(2));
  EXPECT_EQ(book.size(), 0u);
}

} // namespace
} // namespace harborrobot::reconcile

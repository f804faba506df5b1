// The hub API's per-address connection cap.
#include "harborrobot/reconcile/connection_counts.h"

#include <gtest/gtest.h>

namespace harborrobot::reconcile {
namespace {

TEST(ConnectionCounts, RefusesPastTheCapPerAddress) {
  ConnectionCounts counts(2);
  EXPECT_TRUE(counts.enter("10.0.0.1"));
  EXPECT_TRUE(counts.enter("10.0.0.1"));
  EXPECT_FALSE(counts.enter("10.0.0.1"));
  EXPECT_TRUE(counts.enter("10.0.0.2"));
  counts.leave("10.0.0.1");
  EXPECT_TRUE(counts.enter("10.0.0.1"));
}

TEST(ConnectionCounts, ForgetsAnAddressWithNoConnectionLeft) {
  ConnectionCounts counts(1);
  ASSERT_TRUE(counts.enter("10.0.0.1"));
  EXPECT_EQ(counts.addresses(), 1u);
  counts.leave("10.0.0.1");
  EXPECT_EQ(counts.addresses(), 0u);
  counts.leave("10.0.0.9"); // never entered: nothing to forget
  EXPECT_EQ(counts.addresses(), 0u);
}

} // namespace
} // namespace harborrobot::reconcile

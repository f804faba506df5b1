// The reconciler's pure decisions: which binding updates need a reconcile, and
// when to look again.
#include "harborrobot/hub/binding_reconciler.h"

#include <gtest/gtest.h>

#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

using namespace std::chrono;

TEST(DiffersOutsideStatus, StatusAndWriteBookkeepingAreIgnored) {
  const kube::Json before = testing::bindingObject("b", {"a"});
  kube::Json after = before;
  after["status"] = {{"conditions", kube::Json::array({{{"type", "Ready"}}})}};
  after["metadata"]["resourceVersion"] = "11";
  after["metadata"]["managedFields"] = kube::Json::array({{{"manager", "hub"}}});
  EXPECT_FALSE(differsOutsideStatus(before, after));
}

TEST(DiffersOutsideStatus, SpecAnnotationsAndFinalizersCount) {
  const kube::Json before = testing::bindingObject("b", {"a"});
  kube::Json spec = before;
  spec["spec"]["refreshInterval"] = "1h";
  EXPECT_TRUE(differsOutsideStatus(before, spec));
  kube::Json annotated = before;
  annotated["metadata"]["annotations"] = {{"harborrobot.io/rotate-requested-at", "x"}};
  EXPECT_TRUE(differsOutsideStatus(before, annotated));
  EXPECT_TRUE(differsOutsideStatus(annotated, before)); // a key removed counts too
  kube::Json deleting = before;
  deleting["metadata"]["deletionTimestamp"] = "2026-03-01T09:00:00Z";
  EXPECT_TRUE(differsOutsideStatus(before, deleting));
  EXPECT_TRUE(differsOutsideStatus(before, kube::Json("not an object")));
}

TEST(RequeueDelay, ResyncSoonerForHarborOutagesAndAtRevisits) {
  const auto now = system_clock::now();
  EXPECT_EQ(requeueDelay(std::nullopt, std::nullopt, now), minutes(5));
  EXPECT_EQ(requeueDelay(reconcile::BindingProblem{"ConnectionNotFound", ""}, std::nullopt, now),
            minutes(5));
  for (const char* reason : {"HarborUnavailable", "ProjectNotFound", "HarborReadOnly"}) {
    EXPECT_EQ(requeueDelay(reconcile::BindingProblem{reason, ""}, std::nullopt, now), seconds(10))
        << reason;
  }
  EXPECT_EQ(requeueDelay(std::nullopt, now + seconds(42), now), seconds(42));
  EXPECT_EQ(requeueDelay(std::nullopt, now - seconds(1), now), milliseconds(100)); // overdue
  EXPECT_EQ(requeueDelay(std::nullopt, now + hours(1), now), minutes(5));
}

} // namespace
} // namespace harborrobot::hub

// The pure parts of the hub's robot cleanup: what a listing depends on, when it
// is repeated, and which bindings a plan judges.
#include "harborrobot/hub/robot_cleanup.h"

#include <map>

#include <gtest/gtest.h>

#include "harborrobot/hub/listing_memo.h"
#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

using namespace std::chrono;
using TimePoint = system_clock::time_point;

const TimePoint kStart = sys_days(year(2026) / 3 / 1) + hours(9);

struct Records {
  std::map<std::string, reconcile::NamespaceStatus, std::less<>> byNamespace;
  reconcile::RecordLookup lookup() const {
    return [this](std::string_view ns) -> const reconcile::NamespaceStatus* {
      const auto found = byNamespace.find(ns);
      return found == byNamespace.end() ? nullptr : &found->second;
    };
  }
  void activate(const std::string& ns, std::int64_t generation, TimePoint since) {
    auto& state = byNamespace[ns];
    state.name = ns;
    state.secretGeneration = generation;
    state.activeSince = since;
  }
};

TEST(CleanupInputs, FirstActivationsChangeNothing) {
  Records records;
  const std::vector<std::string> targets = {"a", "b"};
  const std::string before = cleanupInputsOf(3, targets, records.lookup());
  EXPECT_EQ(before, "3|a,b|");
  records.activate("a", 1, kStart);
  records.activate("b", 1, kStart);
  // A thousand agents starting together do not each cause a listing.
  EXPECT_EQ(cleanupInputsOf(3, targets, records.lookup()), before);
}

TEST(CleanupInputs, SupersedingActivationTargetsAndGenerationChangeThem) {
  Records records;
  const std::vector<std::string> targets = {"a", "b"};
  const std::string before = cleanupInputsOf(3, targets, records.lookup());
  records.activate("a", 2, kStart);
  const std::string superseded = cleanupInputsOf(3, targets, records.lookup());
  EXPECT_NE(superseded, before);
  EXPECT_NE(superseded.find("a:2:2026-03-01T09:00:00Z;"), std::string::npos) << superseded;
  EXPECT_NE(cleanupInputsOf(4, targets, records.lookup()), superseded);
  EXPECT_NE(cleanupInputsOf(3, {"a"}, records.lookup()), superseded);
  // A record outside the targets is not an input.
  records.activate("c", 5, kStart);
  EXPECT_EQ(cleanupInputsOf(3, targets, records.lookup()), superseded);
}

TEST(ListingMemo, RepeatsOnlyWhenInputsChangeOrTimeComes) {
  ListingMemo memo;
  EXPECT_TRUE(memo.check("b", "in", kStart).listingDue); // never listed
  memo.remember("b", "in", kStart + minutes(1), kStart + seconds(30));
  const auto unchanged = memo.check("b", "in", kStart + seconds(10));
  EXPECT_FALSE(unchanged.listingDue);
  ASSERT_TRUE(unchanged.revisit);
  EXPECT_EQ(*unchanged.revisit, kStart + seconds(30));
  EXPECT_TRUE(memo.check("b", "other", kStart + seconds(10)).listingDue);
  EXPECT_TRUE(memo.check("b", "in", kStart + seconds(30)).listingDue); // the revisit is due
  EXPECT_TRUE(memo.check("c", "in", kStart).listingDue);
}

TEST(ListingMemo, MaxAgeRevisitByAndForget) {
  ListingMemo memo;
  memo.remember("b", "in", kStart + minutes(1), std::nullopt);
  EXPECT_FALSE(memo.check("b", "in", kStart + seconds(59)).listingDue);
  EXPECT_TRUE(memo.check("b", "in", kStart + minutes(1)).listingDue);
  memo.revisitBy("b", kStart + seconds(20));
  memo.revisitBy("b", kStart + seconds(40)); // a later revisit never postpones an earlier one
  EXPECT_FALSE(memo.check("b", "in", kStart + seconds(19)).listingDue);
  EXPECT_TRUE(memo.check("b", "in", kStart + seconds(20)).listingDue);
  memo.forget("b");
  EXPECT_TRUE(memo.check("b", "in", kStart).listingDue);
}

TEST(KnownBindings, OnlyTheJudgedBindingHasNamespacesOthersKeepAll) {
  Records records;
  records.activate("a", 2, kStart);
  const std::vector<std::string> targets = {"a", "b"};
  auto active = activeGenerationsOf(targets, records.lookup());
  ASSERT_EQ(active.size(), 2U);
  EXPECT_EQ(active.at("a").generation, 2);
  EXPECT_EQ(active.at("a").activeSince, kStart);
  EXPECT_EQ(active.at("b").generation, 0); // nothing activated yet

  auto nameless = std::make_shared<const kube::Json>(kube::Json{{"metadata", {{"name", "x"}}}});
  const std::vector<std::shared_ptr<const kube::Json>> bindings = {
      std::make_shared<const kube::Json>(testing::bindingObject("mine", targets, "uid-1")),
      std::make_shared<const kube::Json>(testing::bindingObject("other", targets, "uid-2")),
      nameless};
  const auto known = knownBindingsOf(bindings, "uid-1", active);
  ASSERT_EQ(known.size(), 2U); // a binding without a UID is not known
  EXPECT_FALSE(known.at("uid-1").keepAll);
  EXPECT_EQ(known.at("uid-1").namespaces.size(), 2U);
  EXPECT_TRUE(known.at("uid-2").keepAll);
  EXPECT_TRUE(known.at("uid-2").namespaces.empty());
}

} // namespace
} // namespace harborrobot::hub

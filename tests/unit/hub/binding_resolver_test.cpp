// resolve(): a binding object → its spec, its connection and the first problem,
// or frozen at its last valid spec.
#include "harborrobot/hub/binding_resolver.h"

#include <gtest/gtest.h>

#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

TEST(BindingResolver, ConnectionOutsideTheHubNamespace) {
  testing::FakeConnections connections("hub-ns");
  BindingStatusCache statuses;
  BindingResolver resolver(connections, statuses);
  kube::Json object = testing::bindingObject("b", {"ns1"});
  object["spec"]["harbor"]["secret"]["namespace"] = "elsewhere";
  const auto resolved = resolver.resolve(object);
  ASSERT_TRUE(resolved.problem);
  EXPECT_EQ(resolved.problem->reason, "ConnectionOutsideHubNamespace");
  EXPECT_NE(resolved.problem->message.find("only in hub-ns"), std::string::npos);
  EXPECT_FALSE(resolved.frozen);
}

TEST(BindingResolver, ConnectionMissingOrUnusable) {
  testing::FakeConnections connections("hub-ns");
  BindingStatusCache statuses;
  BindingResolver resolver(connections, statuses);
  const kube::Json object = testing::bindingObject("b", {"ns1"});
  auto missing = resolver.resolve(object);
  ASSERT_TRUE(missing.problem);
  EXPECT_EQ(missing.problem->reason, "ConnectionNotFound");
  EXPECT_NE(missing.problem->message.find("no Secret hub-ns/harbor"), std::string::npos);

  auto broken = std::make_shared<Connection>();
  broken->problemReason = "HarborUnreachable";
  broken->problemMessage = "connection refused";
  connections.add("harbor", broken);
  const auto unusable = resolver.resolve(object);
  ASSERT_TRUE(unusable.problem);
  EXPECT_EQ(unusable.problem->reason, "HarborUnreachable");
  EXPECT_EQ(unusable.problem->message, "connection refused");
  EXPECT_EQ(unusable.connection, broken);
}

TEST(BindingResolver, InvalidSpecWithoutAValidOneKnownKeepsOnlyTheMetadata) {
  testing::FakeConnections connections("hub-ns");
  BindingStatusCache statuses;
  BindingResolver resolver(connections, statuses);
  kube::Json object = testing::bindingObject("b", {"ns1"});
  object["spec"]["refreshInterval"] = "often";
  const auto resolved = resolver.resolve(object);
  EXPECT_TRUE(resolved.frozen);
  EXPECT_EQ(resolved.frozenSpecGeneration, 0);
  EXPECT_EQ(resolved.binding.name, "b");
  EXPECT_EQ(resolved.binding.uid, "uid-1");
  ASSERT_TRUE(resolved.problem);
  EXPECT_EQ(resolved.problem->reason, "InvalidSpec");
  EXPECT_NE(resolved.problem->message.find("no valid spec is known"), std::string::npos);
  EXPECT_EQ(resolved.connection, nullptr);
}

TEST(BindingResolver, InvalidSpecFreezesAtTheLastValidOne) {
  testing::FakeConnections connections("hub-ns");
  auto connection = std::make_shared<Connection>();
  connections.add("harbor", connection);
  BindingStatusCache statuses;
  BindingResolver resolver(connections, statuses);
  kube::Json object = testing::bindingObject("b", {"ns1"});
  reconcile::BindingStatus status;
  status.lastValidSpec = reconcile::LastValidSpec{2, object["spec"]};
  object["status"] = reconcile::toJson(status);
  object["spec"]["refreshInterval"] = "often";
  const auto resolved = resolver.resolve(object);
  EXPECT_TRUE(resolved.frozen);
  EXPECT_EQ(resolved.frozenSpecGeneration, 2);
  EXPECT_EQ(resolved.binding.spec.project, "team");
  ASSERT_TRUE(resolved.problem);
  EXPECT_EQ(resolved.problem->reason, "InvalidSpec");
  EXPECT_NE(resolved.problem->message.find("(generation 2) stay in place"), std::string::npos);
  // The connection is still resolved: a deletion removes the last valid spec's robots.
  EXPECT_EQ(resolved.connection, connection);
}

} // namespace
} // namespace harborrobot::hub

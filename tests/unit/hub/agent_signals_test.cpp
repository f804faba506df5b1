// The hub's signal ConfigMaps: their content, and AgentSignals against the
// in-process API server (written when the fingerprint changes, left alone
// otherwise, removed from namespaces no longer listed).
#include "harborrobot/hub/agent_signals.h"

#include <gtest/gtest.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/reconcile/hub_protocol.h"
#include "mocks/kube_api_server.h"

namespace harborrobot::hub {
namespace {

const std::string kAnnotation(reconcile::kAgentSignalAnnotation);

std::string fingerprintIn(const testing::KubeApiServer& apiserver, const std::string& ns) {
  const auto signal = apiserver.stored(kube::resources::configMaps(), ns, wire::kAgentSignalName);
  return signal ? (*signal)["metadata"]["annotations"].value(kAnnotation, "") : "<none>";
}

std::size_t writes(const testing::KubeApiServer& apiserver) {
  std::size_t count = 0;
  for (const auto& request : apiserver.requests()) {
    count += request.method != "GET" && request.path.find("/configmaps") != std::string::npos;
  }
  return count;
}

Logger quietLogger() {
  return Logger("test", [](std::string_view) {});
}

TEST(AgentSignalObject, IsTheNamedConfigMapWithTheFingerprint) {
  const auto signal = agentSignalObject("team-a", "abc");
  EXPECT_EQ(signal["metadata"]["name"], wire::kAgentSignalName);
  EXPECT_EQ(signal["metadata"]["namespace"], "team-a");
  EXPECT_EQ(signal["metadata"]["annotations"][kAnnotation], "abc");
  EXPECT_EQ(signal["metadata"]["labels"][std::string(wire::kManagedByLabel)],
            wire::kManagedByValue);
}

TEST(SetSignalFingerprint, WritesOnlyAChange) {
  kube::Json signal = {{"metadata", {{"annotations", "not an object"}}}};
  EXPECT_TRUE(setSignalFingerprint(signal, "abc"));
  EXPECT_EQ(signal["metadata"]["annotations"][kAnnotation], "abc");
  EXPECT_FALSE(setSignalFingerprint(signal, "abc"));
}

TEST(SignalFingerprints, ReadsEachListedSignal) {
  const kube::Json list = {
      {"items", {agentSignalObject("a", "1"), {{"metadata", {{"namespace", "b"}}}}}}};
  EXPECT_EQ(signalFingerprints(list), (std::map<std::string, std::string>{{"a", "1"}, {"b", ""}}));
}

TEST(AgentSignals, WritesChangesOnlyAndRemovesUnlistedSignals) {
  testing::KubeApiServer apiserver({.namespaces = {"team-a", "team-b"}});
  const auto logger = quietLogger();
  AgentSignals signals(apiserver.admin(), logger);
  ASSERT_TRUE(signals.sync({{"team-a", "1"}, {"team-b", "1"}}));
  EXPECT_EQ(fingerprintIn(apiserver, "team-a"), "1");
  EXPECT_EQ(fingerprintIn(apiserver, "team-b"), "1");

  const auto before = writes(apiserver);
  ASSERT_TRUE(signals.sync({{"team-a", "1"}, {"team-b", "1"}}));
  EXPECT_EQ(writes(apiserver), before);

  ASSERT_TRUE(signals.sync({{"team-a", "2"}}));
  EXPECT_EQ(fingerprintIn(apiserver, "team-a"), "2");
  EXPECT_EQ(fingerprintIn(apiserver, "team-b"), "<none>");
}

TEST(AgentSignals, ANewLeaderRewritesNothingThatIsCurrent) {
  testing::KubeApiServer apiserver({.namespaces = {"team-a"}});
  const auto logger = quietLogger();
  {
    AgentSignals previous(apiserver.admin(), logger);
    ASSERT_TRUE(previous.sync({{"team-a", "1"}}));
  }
  const auto before = writes(apiserver);
  AgentSignals next(apiserver.admin(), logger);
  ASSERT_TRUE(next.sync({{"team-a", "1"}}));
  EXPECT_EQ(writes(apiserver), before);
}

TEST(AgentSignals, ASignalDeletedBehindItsBackIsPutBackAtTheRelist) {
  testing::KubeApiServer apiserver({.namespaces = {"team-a"}});
  const auto logger = quietLogger();
  auto now = std::chrono::steady_clock::now();
  AgentSignals signals(apiserver.admin(), logger, [&] { return now; });
  ASSERT_TRUE(signals.sync({{"team-a", "1"}}));
  ASSERT_TRUE(
      apiserver.admin().remove(kube::resources::configMaps(), "team-a", wire::kAgentSignalName));
  ASSERT_TRUE(signals.sync({{"team-a", "1"}}));
  EXPECT_EQ(fingerprintIn(apiserver, "team-a"), "<none>"); // trusted until the relist
  now += kAgentSignalRelist + std::chrono::seconds(1);
  ASSERT_TRUE(signals.sync({{"team-a", "1"}}));
  EXPECT_EQ(fingerprintIn(apiserver, "team-a"), "1");
}

TEST(AgentSignals, ANamespaceThatCannotBeWrittenIsTheErrorAndTheRestIsWritten) {
  testing::KubeApiServer apiserver({.namespaces = {"team-b"}});
  const auto logger = quietLogger();
  AgentSignals signals(apiserver.admin(), logger);
  auto synced = signals.sync({{"gone", "1"}, {"team-b", "1"}});
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fingerprintIn(apiserver, "team-b"), "1");
}

} // namespace
} // namespace harborrobot::hub

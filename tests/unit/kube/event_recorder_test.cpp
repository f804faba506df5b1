// Events: created with the apiserver's fields, aggregated into a count within the
// window, recreated when the old Event has expired; against the in-process API server.
#include "harborrobot/kube/event_recorder.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/kube_api_server.h"

namespace harborrobot::kube {
namespace {

const std::string kNamespace = "harbor-robot-gen-system";

// The stored Events of every namespace, by name.
std::map<std::string, Json> storedEvents(const testing::KubeApiServer& apiserver) {
  std::map<std::string, Json> byName;
  for (auto& event : apiserver.storedList(resources::events())) {
    const std::string name = event["metadata"]["name"];
    byName.emplace(name, std::move(event));
  }
  return byName;
}

// What a recorder in kNamespace needs and no more: create, and patch to count repeats.
RestConfig recorderConfig(testing::KubeApiServer& apiserver) {
  auto config = apiserver.serviceAccountConfig(
      kNamespace, "recorder",
      Json::array(
          {{{"apiGroups", {""}}, {"resources", {"events"}}, {"verbs", {"create", "patch"}}}}));
  if (!config) {
    throw std::runtime_error(config.error().message());
  }
  return *config;
}

const Json kSecret = {{"apiVersion", "v1"},
                      {"kind", "Secret"},
                      {"metadata",
                       {{"name", "harbor"},
                        {"namespace", "harbor-robot-gen-system"},
                        {"uid", "u-1"},
                        {"resourceVersion", "7"}}}};

TEST(EventRecorder, CreatesAnEventWithTheApiserversFields) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(recorderConfig(apiserver));
  auto now = std::chrono::system_clock::time_point{} + std::chrono::seconds(1747305221);
  EventRecorder recorder(client, "harborrobot-hub", "hub-a", std::chrono::minutes(10),
                         [&] { return now; });
  ASSERT_TRUE(recorder.record(ObjectReference::of(kSecret), EventType::kWarning,
                              "InvalidConnection", "url: \"ftp://x\" is not an https URL"));
  const auto events = storedEvents(apiserver);
  ASSERT_EQ(events.size(), 1u);
  const Json& event = events.begin()->second;
  EXPECT_EQ(event["metadata"]["namespace"], "harbor-robot-gen-system");
  EXPECT_THAT(event["metadata"]["name"].get<std::string>(), ::testing::StartsWith("harbor."));
  EXPECT_EQ(event["involvedObject"], Json({{"apiVersion", "v1"},
                                           {"kind", "Secret"},
                                           {"name", "harbor"},
                                           {"namespace", "harbor-robot-gen-system"},
                                           {"uid", "u-1"},
                                           {"resourceVersion", "7"}}));
  EXPECT_EQ(event["reason"], "InvalidConnection");
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["count"], 1);
  EXPECT_EQ(event["firstTimestamp"], "2025-05-15T10:33:41Z");
  EXPECT_EQ(event["source"], Json({{"component", "harborrobot-hub"}, {"host", "hub-a"}}));
}

TEST(EventRecorder, AggregatesRepeatsWithinTheWindowAndSplitsOtherwise) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(recorderConfig(apiserver));
  auto now = std::chrono::system_clock::time_point{} + std::chrono::seconds(1000);
  EventRecorder recorder(client, "hub", "", std::chrono::minutes(10), [&] { return now; });
  const auto secret = ObjectReference::of(kSecret);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  now += std::chrono::minutes(1);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  auto events = storedEvents(apiserver);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["count"], 3);
  EXPECT_EQ(events.begin()->second["lastTimestamp"], "1970-01-01T00:17:40Z");
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "HarborReachable", "ok"));
  EXPECT_EQ(storedEvents(apiserver).size(), 2u);
  now += std::chrono::minutes(11);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  EXPECT_EQ(storedEvents(apiserver).size(), 3u) << "outside the window a new Event starts";
}

TEST(EventRecorder, AnObjectGetsABurstOf25ThenOnePerFiveMinutes) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(recorderConfig(apiserver));
  auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(1);
  EventRecorder recorder(client, "hub", "", std::chrono::minutes(10), [&] { return now; });
  const auto secret = ObjectReference::of(kSecret);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", fmt::format("r{}", i)))
        << "a throttled Event is dropped, not an error";
  }
  EXPECT_EQ(storedEvents(apiserver).size(), 25u) << "the burst, as client-go allows";
  now += std::chrono::minutes(4);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", "r40"));
  EXPECT_EQ(storedEvents(apiserver).size(), 25u) << "less than one refill later";
  now += std::chrono::minutes(1);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", "r41"));
  EXPECT_EQ(storedEvents(apiserver).size(), 26u) << "one token after five minutes";
  auto other = kSecret;
  other["metadata"]["uid"] = "u-2";
  ASSERT_TRUE(
      recorder.record(ObjectReference::of(other), EventType::kNormal, "RobotCreated", "r0"));
  EXPECT_EQ(storedEvents(apiserver).size(), 27u) << "each object has its own budget";
}

TEST(EventRecorder, RecreatesAnEventTheApiserverExpired) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(recorderConfig(apiserver));
  EventRecorder recorder(client, "hub");
  const auto secret = ObjectReference::of(kSecret);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "ProjectCreated", "project team"));
  // The apiserver's Event TTL: etcd drops the key, no request is involved.
  for (const auto& stored : storedEvents(apiserver)) {
    ASSERT_TRUE(apiserver.expireFromStorage(resources::events(), kNamespace, stored.first));
  }
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "ProjectCreated", "project team"));
  const auto events = storedEvents(apiserver);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["count"], 1);
}

TEST(EventRecorder, ClusterScopedObjectsGetEventsInDefault) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(apiserver.adminConfig()); // its Events go to "default"
  EventRecorder recorder(client, "hub");
  const Json binding = {{"apiVersion", "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1"},
                        {"kind", "HarborRobotBinding"},
                        {"metadata", {{"name", "harbor-secret-for-team"}, {"uid", "b-1"}}}};
  ASSERT_TRUE(recorder.record(ObjectReference::of(binding), EventType::kNormal, "RobotCreated",
                              "robot$team+harbor-secret-for-team-team-ns1-1a2b3c"));
  const auto events = storedEvents(apiserver);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["metadata"]["namespace"], "default");
  EXPECT_FALSE(events.begin()->second["involvedObject"].contains("namespace"));
}

} // namespace
} // namespace harborrobot::kube

// Events: created with the apiserver's fields, aggregated into a count within the
// window, recreated when the old Event has expired.
#include "harborrobot/kube/event_recorder.h"

#include <mutex>

#include <Poco/StreamCopier.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

namespace harborrobot::kube {
namespace {

class EventStore {
public:
  EventStore()
      : server_([this](Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, auto&) {
          std::string body;
          Poco::StreamCopier::copyToString(request.stream(), body);
          std::lock_guard lock(mutex_);
          requests_.push_back(request.getMethod() + " " + request.getURI());
          if (request.getMethod() == "POST") {
            Json event = Json::parse(body);
            events_[event["metadata"]["name"]] = event;
            response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
            response.send() << event.dump();
            return;
          }
          const std::string path = request.getURI().substr(0, request.getURI().find('?'));
          const std::string name = path.substr(path.rfind('/') + 1);
          const auto found = events_.find(name);
          if (found == events_.end()) {
            response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send()
                << R"({"kind":"Status","code":404,"reason":"NotFound","message":"gone"})";
            return;
          }
          found->second.merge_patch(Json::parse(body));
          response.send() << found->second.dump();
        }) {}

  std::map<std::string, Json> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  void expireAll() {
    std::lock_guard lock(mutex_);
    events_.clear();
  }
  RestConfig config() const {
    RestConfig config;
    config.server = server_.url();
    config.tls.caPem = server_.authority().ca().certificatePem;
    return config;
  }

private:
  std::mutex mutex_;
  std::map<std::string, Json> events_;
  std::vector<std::string> requests_;
  testing::HttpsTestServer server_;
};

const Json kSecret = {{"apiVersion", "v1"},
                      {"kind", "Secret"},
                      {"metadata",
                       {{"name", "harbor"},
                        {"namespace", "harbor-robot-gen-system"},
                        {"uid", "u-1"},
                        {"resourceVersion", "7"}}}};

TEST(EventRecorder, CreatesAnEventWithTheApiserversFields) {
  EventStore store;
  Client client(store.config());
  auto now = std::chrono::system_clock::time_point{} + std::chrono::seconds(1747305221);
  EventRecorder recorder(client, "harborrobot-hub", "hub-a", std::chrono::minutes(10),
                         [&] { return now; });
  ASSERT_TRUE(recorder.record(ObjectReference::of(kSecret), EventType::kWarning,
                              "InvalidConnection", "url: \"ftp://x\" is not an https URL"));
  const auto events = store.events();
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
  EventStore store;
  Client client(store.config());
  auto now = std::chrono::system_clock::time_point{} + std::chrono::seconds(1000);
  EventRecorder recorder(client, "hub", "", std::chrono::minutes(10), [&] { return now; });
  const auto secret = ObjectReference::of(kSecret);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  now += std::chrono::minutes(1);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  auto events = store.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["count"], 3);
  EXPECT_EQ(events.begin()->second["lastTimestamp"], "1970-01-01T00:17:40Z");
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "HarborReachable", "ok"));
  EXPECT_EQ(store.events().size(), 2u);
  now += std::chrono::minutes(11);
  ASSERT_TRUE(recorder.record(secret, EventType::kWarning, "HarborUnreachable", "timeout"));
  EXPECT_EQ(store.events().size(), 3u) << "outside the window a new Event starts";
}

TEST(EventRecorder, AnObjectGetsABurstOf25ThenOnePerFiveMinutes) {
  EventStore store;
  Client client(store.config());
  auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(1);
  EventRecorder recorder(client, "hub", "", std::chrono::minutes(10), [&] { return now; });
  const auto secret = ObjectReference::of(kSecret);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", fmt::format("r{}", i)))
        << "a throttled Event is dropped, not an error";
  }
  EXPECT_EQ(store.events().size(), 25u) << "the burst, as client-go allows";
  now += std::chrono::minutes(4);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", "r40"));
  EXPECT_EQ(store.events().size(), 25u) << "less than one refill later";
  now += std::chrono::minutes(1);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "RobotCreated", "r41"));
  EXPECT_EQ(store.events().size(), 26u) << "one token after five minutes";
  auto other = kSecret;
  other["metadata"]["uid"] = "u-2";
  ASSERT_TRUE(
      recorder.record(ObjectReference::of(other), EventType::kNormal, "RobotCreated", "r0"));
  EXPECT_EQ(store.events().size(), 27u) << "each object has its own budget";
}

TEST(EventRecorder, RecreatesAnEventTheApiserverExpired) {
  EventStore store;
  Client client(store.config());
  EventRecorder recorder(client, "hub");
  const auto secret = ObjectReference::of(kSecret);
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "ProjectCreated", "project team"));
  store.expireAll();
  ASSERT_TRUE(recorder.record(secret, EventType::kNormal, "ProjectCreated", "project team"));
  const auto events = store.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["count"], 1);
}

TEST(EventRecorder, ClusterScopedObjectsGetEventsInDefault) {
  EventStore store;
  Client client(store.config());
  EventRecorder recorder(client, "hub");
  const Json binding = {{"apiVersion", "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1"},
                        {"kind", "HarborRobotBinding"},
                        {"metadata", {{"name", "harbor-secret-for-team"}, {"uid", "b-1"}}}};
  ASSERT_TRUE(recorder.record(ObjectReference::of(binding), EventType::kNormal, "RobotCreated",
                              "robot$team+harbor-secret-for-team-team-ns1-1a2b3c"));
  const auto events = store.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second["metadata"]["namespace"], "default");
  EXPECT_FALSE(events.begin()->second["involvedObject"].contains("namespace"));
}

} // namespace
} // namespace harborrobot::kube

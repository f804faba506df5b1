// The informer against a scripted apiserver: initial list, watch events, resume,
// and a re-list after 410 that reports exactly the differences.
#include "harborrobot/kube/informer.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

namespace harborrobot::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

Json ns(const std::string& name, int version) {
  return {{"metadata", {{"name", name}, {"resourceVersion", std::to_string(version)}}}};
}

// Serves a namespace list and streams watch events the test pushes.
class ScriptedApiserver {
public:
  ScriptedApiserver()
      : server_([this](Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response,
                       auto&) { serve(request, response); }) {}
  ~ScriptedApiserver() { closeAll(); }

  void setList(std::vector<Json> items, int version) {
    std::lock_guard lock(mutex_);
    items_ = std::move(items);
    listVersion_ = version;
  }
  void push(const std::string& line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
    changed_.notify_all();
  }
  void closeAll() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  std::vector<std::string> watchVersions() {
    std::lock_guard lock(mutex_);
    return watchVersions_;
  }
  const testing::HttpsTestServer& server() const { return server_; }

private:
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    const std::string uri = request.getURI();
    if (uri.find("watch=true") == std::string::npos) {
      std::lock_guard lock(mutex_);
      Json list = {{"kind", "NamespaceList"},
                   {"metadata", {{"resourceVersion", std::to_string(listVersion_)}}},
                   {"items", items_}};
      response.setContentType("application/json");
      response.send() << list.dump();
      return;
    }
    const auto at = uri.find("resourceVersion=");
    {
      std::lock_guard lock(mutex_);
      watchVersions_.push_back(uri.substr(at + 16, uri.find('&', at) - at - 16));
    }
    response.setChunkedTransferEncoding(true);
    auto& out = response.send();
    out.flush();
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return closed_ || !lines_.empty(); });
      if (lines_.empty()) {
        return;
      }
      const std::string line = lines_.front();
      lines_.pop_front();
      if (line == "<end>") {
        return; // ends this watch as a server timeout would
      }
      out << line << "\n";
      out.flush();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Json> items_;
  int listVersion_ = 1;
  std::deque<std::string> lines_;
  std::vector<std::string> watchVersions_;
  bool closed_ = false;
  testing::HttpsTestServer server_;
};

struct Recorder {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> events;
  void add(std::string event) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
    changed.notify_all();
  }
  bool waitFor(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return events.size() >= count; });
  }
  InformerHandlers handlers() {
    return {
        .onAdd = [this](const Json& o) { add("add " + o["metadata"]["name"].get<std::string>()); },
        .onUpdate =
            [this](const Json&, const Json& o) {
              add("update " + o["metadata"]["name"].get<std::string>() + "@" +
                  o["metadata"]["resourceVersion"].get<std::string>());
            },
        .onDelete =
            [this](const Json& o) { add("delete " + o["metadata"]["name"].get<std::string>()); }};
  }
};

RestConfig configFor(const testing::HttpsTestServer& server) {
  RestConfig config;
  config.server = server.url();
  config.tls.caPem = server.authority().ca().certificatePem;
  return config;
}

TEST(Informer, ListsThenFollowsWatchEventsAndResumesFromTheLastVersion) {
  ScriptedApiserver apiserver;
  apiserver.setList({ns("team-ns1", 3)}, 10);
  Client client(configFor(apiserver.server()));
  Recorder recorder;
  Informer informer(client, resources::namespaces(),
                    {.initialBackoff = std::chrono::milliseconds(10)}, recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(std::chrono::seconds(10)));
  apiserver.push(
      R"({"type":"ADDED","object":{"metadata":{"name":"team-ns2","resourceVersion":"11"}}})");
  apiserver.push(
      R"({"type":"MODIFIED","object":{"metadata":{"name":"team-ns1","resourceVersion":"12"}}})");
  apiserver.push(
      R"({"type":"DELETED","object":{"metadata":{"name":"team-ns2","resourceVersion":"13"}}})");
  apiserver.push("<end>");
  apiserver.push(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"20"}}})");
  apiserver.push(
      R"({"type":"ADDED","object":{"metadata":{"name":"team-ns3","resourceVersion":"21"}}})");
  ASSERT_TRUE(recorder.waitFor(5));
  EXPECT_THAT(recorder.events, ElementsAre("add team-ns1", "add team-ns2", "update team-ns1@12",
                                           "delete team-ns2", "add team-ns3"));
  EXPECT_THAT(apiserver.watchVersions(), ::testing::ElementsAre("10", "13"));
  EXPECT_TRUE(informer.get("", "team-ns3"));
  EXPECT_FALSE(informer.get("", "team-ns2"));
  EXPECT_EQ(informer.lists(), 1);
  apiserver.closeAll();
  informer.stop();
}

TEST(Informer, RelistsAfterExpiredAndReportsOnlyTheDifferences) {
  ScriptedApiserver apiserver;
  apiserver.setList({ns("keep", 1), ns("change", 1), ns("gone", 1)}, 5);
  Client client(configFor(apiserver.server()));
  Recorder recorder;
  Informer informer(client, resources::namespaces(),
                    {.initialBackoff = std::chrono::milliseconds(10)}, recorder.handlers());
  informer.start();
  ASSERT_TRUE(recorder.waitFor(3));
  apiserver.setList({ns("keep", 1), ns("change", 7), ns("new", 8)}, 9);
  apiserver.push(
      R"json({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 5 (9)"}})json");
  ASSERT_TRUE(recorder.waitFor(6));
  std::vector<std::string> afterRelist(recorder.events.begin() + 3, recorder.events.end());
  EXPECT_THAT(afterRelist, UnorderedElementsAre("add new", "update change@7", "delete gone"));
  EXPECT_EQ(informer.lists(), 2);
  EXPECT_EQ(informer.list().size(), 3u);
  apiserver.closeAll();
  informer.stop();
}

TEST(Informer, StopEndsAnIdleWatchPromptly) {
  ScriptedApiserver apiserver;
  apiserver.setList({}, 1);
  Client client(configFor(apiserver.server()));
  Recorder recorder;
  Informer informer(client, resources::namespaces(), {}, recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(std::chrono::seconds(10)));
  const auto start = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  apiserver.closeAll();
}

} // namespace
} // namespace harborrobot::kube

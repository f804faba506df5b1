// The informer against the in-process API server: initial list, watch events,
// resume from the last version or bookmark, and a re-list after 410 that
// reports exactly the differences.
#include "harborrobot/kube/informer.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/kube_api_server.h"

namespace harborrobot::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr std::chrono::seconds kWait{10};
const std::string kNamespace = "team";

Json secret(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name}}}};
}

std::vector<std::string> watchVersions(const std::vector<testing::RecordedRequest>& requests) {
  std::vector<std::string> versions;
  for (const auto& request : requests) {
    if (request.isWatch() && request.path == resourcePath(resources::secrets(), kNamespace)) {
      versions.push_back(request.queryValue("resourceVersion"));
    }
  }
  return versions;
}

// The resourceVersions the informer's watches started from, in order.
std::vector<std::string> watchVersions(const testing::KubeApiServer& apiserver) {
  return watchVersions(apiserver.requests());
}

bool waitForWatches(testing::KubeApiServer& apiserver, std::size_t count) {
  return apiserver.waitForRequests(
      [&](const auto& requests) { return watchVersions(requests).size() >= count; }, kWait);
}

std::string versionOf(const Result<Json>& object) {
  return (*object)["metadata"]["resourceVersion"].get<std::string>();
}

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
    return changed.wait_for(lock, kWait, [&] { return events.size() >= count; });
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

TEST(Informer, ListsThenFollowsWatchEventsAndResumesFromTheLastVersion) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client& admin = apiserver.admin();
  ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret("s1")));
  const auto listed = admin.list(resources::secrets(), kNamespace);
  ASSERT_TRUE(listed) << listed.error().message();
  Client client(apiserver.adminConfig());
  Recorder recorder;
  Informer informer(client, resources::secrets(),
                    {.ns = kNamespace, .initialBackoff = std::chrono::milliseconds(10)},
                    recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(kWait));
  ASSERT_TRUE(waitForWatches(apiserver, 1));

  ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret("s2")));
  auto changed = admin.modify(resources::secrets(), kNamespace, "s1", [](Json& s1) {
    s1["data"]["token"] = "dDBrM24=";
    return Result<bool>(true);
  });
  ASSERT_TRUE(changed) << changed.error().message();
  ASSERT_TRUE(admin.remove(resources::secrets(), kNamespace, "s2"));
  const std::string deletedAt = std::to_string(apiserver.revision());
  ASSERT_TRUE(recorder.waitFor(4));
  // The watch ends as a server timeout ends it; the informer resumes from the
  // last event it saw, without listing again.
  ASSERT_TRUE(apiserver.dropWatches());
  ASSERT_TRUE(waitForWatches(apiserver, 2));
  ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret("s3")));
  ASSERT_TRUE(recorder.waitFor(5));
  EXPECT_THAT(recorder.events, ElementsAre("add s1", "add s2", "update s1@" + versionOf(changed),
                                           "delete s2", "add s3"));
  EXPECT_THAT(watchVersions(apiserver),
              ElementsAre((*listed)["metadata"]["resourceVersion"].get<std::string>(), deletedAt));
  EXPECT_TRUE(informer.get(kNamespace, "s3"));
  EXPECT_FALSE(informer.get(kNamespace, "s2"));
  EXPECT_EQ(informer.lists(), 1);
  informer.stop();
}

TEST(Informer, ResumesFromABookmarkWithoutCallingTheHandlers) {
  // Bookmarks at every idle wake, and watches the server ends after 2 s.
  testing::KubeApiServer apiserver(
      {.namespaces = {kNamespace}, .bookmarkAfterIdle = std::chrono::milliseconds(0)});
  Client& admin = apiserver.admin();
  ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret("s1")));
  Client client(apiserver.adminConfig());
  Recorder recorder;
  Informer informer(
      client, resources::secrets(),
      {.ns = kNamespace, .watchTimeoutSeconds = 2, .initialBackoff = std::chrono::milliseconds(10)},
      recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(kWait));
  // A change of another kind moves the cluster's resourceVersion on: the
  // secrets watch sends no event for it, only a BOOKMARK carrying it.
  auto other = admin.create(resources::configMaps(), kNamespace,
                            {{"apiVersion", "v1"},
                             {"kind", "ConfigMap"},
                             {"metadata", {{"name", "other"}}},
                             {"data", {{"a", "b"}}}});
  ASSERT_TRUE(other) << other.error().message();
  const std::string bookmarked = versionOf(other);
  ASSERT_TRUE(apiserver.waitForRequests(
      [&](const auto& requests) {
        const auto versions = watchVersions(requests);
        return std::find(versions.begin(), versions.end(), bookmarked) != versions.end();
      },
      kWait))
      << "watches started from: " << ::testing::PrintToString(watchVersions(apiserver));
  EXPECT_THAT(recorder.events, ElementsAre("add s1"));
  EXPECT_EQ(informer.lists(), 1);
  informer.stop();
}

TEST(Informer, RelistsAfterExpiredAndReportsOnlyTheDifferences) {
  // Two changes of history: a watch from before the three changes below finds
  // its resourceVersion compacted away (410 Expired).
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}, .watchHistory = 2});
  Client& admin = apiserver.admin();
  for (const char* name : {"keep", "change", "gone"}) {
    ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret(name)));
  }
  Client client(apiserver.adminConfig());
  Recorder recorder;
  Informer informer(client, resources::secrets(),
                    {.ns = kNamespace, .initialBackoff = std::chrono::milliseconds(10)},
                    recorder.handlers());
  informer.start();
  ASSERT_TRUE(recorder.waitFor(3));
  ASSERT_TRUE(waitForWatches(apiserver, 1));
  const std::string listedAt = watchVersions(apiserver)[0];
  // The watch ends and its successor waits at the door while the objects change.
  apiserver.holdWatches();
  ASSERT_TRUE(apiserver.dropWatches());
  ASSERT_TRUE(apiserver.waitForHeldWatches(1, kWait));
  auto changed = admin.modify(resources::secrets(), kNamespace, "change", [](Json& secret) {
    secret["data"]["token"] = "dDBrM24=";
    return Result<bool>(true);
  });
  ASSERT_TRUE(changed) << changed.error().message();
  ASSERT_TRUE(admin.create(resources::secrets(), kNamespace, secret("new")));
  ASSERT_TRUE(admin.remove(resources::secrets(), kNamespace, "gone"));
  apiserver.releaseWatches();
  ASSERT_TRUE(recorder.waitFor(6));
  std::vector<std::string> afterRelist(recorder.events.begin() + 3, recorder.events.end());
  EXPECT_THAT(afterRelist, UnorderedElementsAre("add new", "update change@" + versionOf(changed),
                                                "delete gone"));
  EXPECT_EQ(watchVersions(apiserver)[1], listedAt) << "the expired watch resumed where it was";
  EXPECT_EQ(informer.lists(), 2);
  EXPECT_EQ(informer.list().size(), 3u);
  informer.stop();
}

TEST(Informer, StopEndsAnIdleWatchPromptly) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  Client client(apiserver.adminConfig());
  Recorder recorder;
  Informer informer(client, resources::secrets(), {.ns = kNamespace}, recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(kWait));
  ASSERT_TRUE(waitForWatches(apiserver, 1));
  const auto start = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// After a watch event the chunk's CRLF stays buffered in the session, so the
// client reads without its one-second poll: on a connection reused from the
// list, that read once kept the list's 30 s timeout and stop() waited for the
// server's next write (here a bookmark, 20 s).
TEST(Informer, StopEndsAWatchPromptlyAfterItsEvents) {
  testing::KubeApiServer apiserver(
      {.namespaces = {kNamespace}, .bookmarkAfterIdle = std::chrono::seconds(20)});
  Client client(apiserver.adminConfig());
  Recorder recorder;
  Informer informer(client, resources::secrets(), {.ns = kNamespace}, recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(kWait));
  ASSERT_TRUE(waitForWatches(apiserver, 1));
  ASSERT_TRUE(apiserver.admin().create(resources::secrets(), kNamespace, secret("s1")));
  ASSERT_TRUE(recorder.waitFor(1));
  const auto start = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

} // namespace
} // namespace harborrobot::kube

// The Kubernetes client against the in-process API server (Status mapping,
// conflicts, expired watches, tokens) and, where a test needs bytes no apiserver
// sends or must see the bytes sent, a hand-rolled HTTPS server.
#include "harborrobot/kube/client.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"
#include "mocks/kube_api_server.h"

namespace harborrobot::kube {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using ::testing::ElementsAre;

struct Seen {
  std::mutex mutex;
  std::vector<std::string> requests; // "METHOD URI|content-type|authorization|body"
  void add(HTTPServerRequest& request) {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::lock_guard lock(mutex);
    requests.push_back(request.getMethod() + " " + request.getURI() + "|" +
                       request.get("Content-Type", "") + "|" + request.get("Authorization", "") +
                       "|" + body);
  }
};

void reply(HTTPServerResponse& response, int status, const Json& body) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("application/json");
  response.send() << body.dump();
}

RestConfig configFor(const testing::HttpsTestServer& server, std::string token = "t0k3n") {
  RestConfig config;
  config.server = server.url();
  config.tls.caPem = server.authority().ca().certificatePem;
  config.tokens = std::make_shared<StaticTokenSource>(SecretString(std::move(token)));
  return config;
}

// Hand-rolled: it checks the exact bytes the client sends (path, headers, body).
TEST(KubeClient, GetSendsTheBearerTokenToTheResourcePath) {
  Seen seen;
  testing::HttpsTestServer server(
      [&](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
        seen.add(request);
        reply(response, 200, {{"kind", "Secret"}, {"metadata", {{"name", "harbor"}}}});
      });
  Client client(configFor(server));
  auto secret = client.get(resources::secrets(), "harbor-robot-gen-system", "harbor");
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ((*secret)["metadata"]["name"], "harbor");
  EXPECT_THAT(seen.requests,
              ElementsAre("GET /api/v1/namespaces/harbor-robot-gen-system/secrets/harbor||Bearer "
                          "t0k3n|"));
}

TEST(KubeClient, StatusResponsesBecomeErrorsWithTheApiserversMessage) {
  testing::KubeApiServer apiserver({.namespaces = {"a", "b"}});
  Client client(apiserver.adminConfig());
  auto missing = client.get(resources::secrets(), "a", "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "secrets \"missing\" not found");
  const Json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "x"}}}};
  auto first = client.create(resources::secrets(), "a", secret);
  ASSERT_TRUE(first) << first.error().message();
  auto exists = client.create(resources::secrets(), "a", secret);
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(client.patch(resources::secrets(), "a", "x", PatchType::kMerge,
                           R"({"metadata":{"labels":{"changed":"yes"}}})"));
  auto conflict = client.update(resources::secrets(), "a", *first); // its resourceVersion is stale
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code(), ErrorCode::kConflict);
  auto reader = apiserver.serviceAccountConfig(
      "a", "reader",
      Json::array({{{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", {"get"}}}}));
  ASSERT_TRUE(reader) << reader.error().message();
  Client readerClient(*reader);
  auto forbidden = readerClient.get(resources::secrets(), "b", "x");
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(forbidden.error().message(), ::testing::StartsWith("secrets \"x\" is forbidden"));
  EXPECT_TRUE(client.remove(resources::secrets(), "a", "missing"));
}

// Hand-rolled: a real apiserver gives every page the first page's resourceVersion;
// this one differs on purpose to show which one the client keeps.
TEST(KubeClient, ListJoinsEveryPage) {
  Seen seen;
  testing::HttpsTestServer server(
      [&](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
        seen.add(request);
        const bool second = request.getURI().find("continue=page%202") != std::string::npos;
        Json list = {{"kind", "NamespaceList"},
                     {"metadata", {{"resourceVersion", second ? "99" : "42"}}},
                     {"items", Json::array({{{"metadata", {{"name", second ? "ns2" : "ns1"}}}}})}};
        if (!second) {
          list["metadata"]["continue"] = "page 2";
        }
        reply(response, 200, list);
      });
  Client client(configFor(server));
  auto namespaces =
      client.list(resources::namespaces(), "", {.labelSelector = "team in (a,b)", .pageSize = 1});
  ASSERT_TRUE(namespaces) << namespaces.error().message();
  ASSERT_EQ((*namespaces)["items"].size(), 2u);
  EXPECT_EQ((*namespaces)["items"][1]["metadata"]["name"], "ns2");
  EXPECT_EQ((*namespaces)["metadata"]["resourceVersion"], "42");
  EXPECT_FALSE((*namespaces)["metadata"].contains("continue"));
  ASSERT_EQ(seen.requests.size(), 2u);
  EXPECT_THAT(seen.requests[0],
              ::testing::StartsWith(
                  "GET /api/v1/namespaces?limit=1&labelSelector=team%20in%20%28a%2Cb%29|"));
}

TEST(KubeClient, ModifyRereadsAndRetriesOnConflict) {
  testing::KubeApiServer apiserver({.namespaces = {"team-ns1"}});
  Client client(apiserver.adminConfig());
  const std::string path = resourcePath(resources::serviceAccounts(), "team-ns1", "default");
  int attempts = 0;
  auto written = client.modify(resources::serviceAccounts(), "team-ns1", "default", [&](Json& sa) {
    // Another writer gets in first twice (by PATCH, so its requests are told apart).
    if (++attempts < 3) {
      const Json label = {{"metadata", {{"labels", {{"writer", std::to_string(attempts)}}}}}};
      if (!apiserver.admin().patch(resources::serviceAccounts(), "team-ns1", "default",
                                   PatchType::kMerge, label.dump())) {
        return Result<bool>(makeError(ErrorCode::kInternal, "the other writer failed"));
      }
    }
    sa["imagePullSecrets"] = Json::array({{{"name", "harbor-secret-for-team.robot"}}});
    return Result<bool>(true);
  });
  ASSERT_TRUE(written) << written.error().message();
  int puts = 0;
  int gets = 0;
  for (const auto& request : apiserver.requests()) {
    if (request.path == path) {
      puts += request.method == "PUT" ? 1 : 0;
      gets += request.method == "GET" ? 1 : 0;
    }
  }
  EXPECT_EQ(puts, 3);
  EXPECT_EQ(gets, 3);
  const auto stored = apiserver.stored(resources::serviceAccounts(), "team-ns1", "default");
  ASSERT_TRUE(stored);
  EXPECT_EQ((*written)["metadata"]["resourceVersion"], (*stored)["metadata"]["resourceVersion"]);
  EXPECT_EQ((*written)["imagePullSecrets"][0]["name"], "harbor-secret-for-team.robot");
  EXPECT_EQ((*stored)["metadata"]["labels"]["writer"], "2") << "the other writer's change kept";
}

TEST(KubeClient, ModifyWritesNothingWhenNothingChanged) {
  testing::KubeApiServer apiserver({.namespaces = {"a"}});
  Client client(apiserver.adminConfig());
  const std::size_t before = apiserver.requests().size();
  auto unchanged = client.modify(resources::serviceAccounts(), "a", "default",
                                 [](Json&) { return Result<bool>(false); });
  ASSERT_TRUE(unchanged) << unchanged.error().message();
  const auto requests = apiserver.requests();
  ASSERT_EQ(requests.size(), before + 1);
  EXPECT_EQ(requests.back().method, "GET") << "one read, no write";
}

// Hand-rolled: it checks the exact bytes the client sends (content type, query, body).
TEST(KubeClient, PatchesCarryTheirContentTypeAndFieldManager) {
  Seen seen;
  testing::HttpsTestServer server(
      [&](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
        seen.add(request);
        reply(response, 200, {{"metadata", {{"name", "b"}}}});
      });
  Client client(configFor(server));
  ASSERT_TRUE(client.patch(resources::harborRobotBindings(), "", "b", PatchType::kMerge,
                           R"({"status":{}})", {.subresource = "status"}));
  ASSERT_TRUE(client.patch(resources::secrets(), "ns", "s", PatchType::kApply, "{}",
                           {.fieldManager = "harborrobot-agent", .force = true}));
  EXPECT_THAT(
      seen.requests,
      ElementsAre("PATCH /apis/harbor-robot-gen.alaudadevops.alauda.io/v1alpha1/"
                  "harborrobotbindings/b/status?fieldManager=harborrobot|application/"
                  "merge-patch+json|Bearer t0k3n|{\"status\":{}}",
                  "PATCH /api/v1/namespaces/ns/secrets/s?fieldManager=harborrobot-agent&force=true|"
                  "application/apply-patch+yaml|Bearer t0k3n|{}"));
}

// Hand-rolled: it splits an event across chunks on purpose, which no apiserver does.
TEST(KubeClient, WatchParsesEventsSplitAcrossChunksAndTracksTheResourceVersion) {
  testing::HttpsTestServer server([&](HTTPServerRequest&, HTTPServerResponse& response, auto&) {
    response.setChunkedTransferEncoding(true);
    auto& out = response.send();
    out << R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"
        << "\n"
        << R"({"type":"MODIFIED","object":{"metadata":{"na)";
    out.flush();
    out << R"(me":"a","resourceVersion":"6"}}})"
        << "\n"
        << R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})"
        << "\n";
  });
  Client client(configFor(server));
  std::vector<std::string> types;
  auto end = client.watch(resources::secrets(), "ns", {.resourceVersion = "4"},
                          [&](const WatchEvent& event) {
                            types.push_back(event.type);
                            return true;
                          });
  ASSERT_TRUE(end) << end.error().message();
  EXPECT_THAT(types, ElementsAre("ADDED", "MODIFIED", "BOOKMARK"));
  EXPECT_FALSE(end->expired);
  EXPECT_EQ(end->lastResourceVersion, "9");
}

TEST(KubeClient, WatchReportsAnExpiredResourceVersion) {
  // One change of history: resourceVersion 1 was compacted while the cluster
  // was set up.
  testing::KubeApiServer apiserver({.namespaces = {"ns"}, .watchHistory = 1});
  Client client(apiserver.adminConfig());
  int events = 0;
  auto end = client.watch(resources::secrets(), "ns", {.resourceVersion = "1"},
                          [&](const WatchEvent&) { return ++events > 0; });
  ASSERT_TRUE(end) << end.error().message();
  EXPECT_TRUE(end->expired);
  EXPECT_EQ(events, 0);
}

TEST(KubeClient, RereadsARotatedTokenFileAfterUnauthorized) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("harborrobot-kube-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "old-token\n";
  testing::KubeApiServer apiserver;
  RestConfig config = apiserver.adminConfig();
  const auto adminToken = config.tokens->token(false);
  ASSERT_TRUE(adminToken);
  config.tokens = std::make_shared<FileTokenSource>(dir / "token", std::chrono::hours(1));
  Client client(config);
  auto before = client.get(resources::namespaces(), "", "default");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code(), ErrorCode::kUnauthenticated);
  std::ofstream(dir / "token") << adminToken->reveal() << "\n";
  auto after = client.get(resources::namespaces(), "", "default");
  EXPECT_TRUE(after) << after.error().message();
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace harborrobot::kube

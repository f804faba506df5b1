// The Kubernetes client against an HTTPS server playing the apiserver's part:
// authentication, Status mapping, paging, conflict retries, patches, watches.
#include "harborrobot/kube/client.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

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

Json statusObject(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"reason", reason}, {"message", message}, {"code", code}};
}

RestConfig configFor(const testing::HttpsTestServer& server, std::string token = "t0k3n") {
  RestConfig config;
  config.server = server.url();
  config.tls.caPem = server.authority().ca().certificatePem;
  config.tokens = std::make_shared<StaticTokenSource>(SecretString(std::move(token)));
  return config;
}

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
  testing::HttpsTestServer server([&](HTTPServerRequest& request, HTTPServerResponse& response,
                                      auto&) {
    const std::string uri = request.getURI();
    if (uri.find("/missing") != std::string::npos) {
      reply(response, 404, statusObject(404, "NotFound", "secrets \"missing\" not found"));
    } else if (request.getMethod() == "POST") {
      reply(response, 409, statusObject(409, "AlreadyExists", "secrets \"x\" already exists"));
    } else if (request.getMethod() == "PUT") {
      reply(
          response, 409,
          statusObject(409, "Conflict",
                       "Operation cannot be fulfilled on secrets \"x\": the object has been "
                       "modified; please apply your changes to the latest version and try again"));
    } else {
      reply(response, 403,
            statusObject(403, "Forbidden",
                         "secrets \"x\" is forbidden: User \"system:serviceaccount:a:b\" cannot "
                         "get resource \"secrets\" in API group \"\" in the namespace \"b\""));
    }
  });
  Client client(configFor(server));
  auto missing = client.get(resources::secrets(), "a", "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "secrets \"missing\" not found");
  auto exists = client.create(resources::secrets(), "a", {{"metadata", {{"name", "x"}}}});
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code(), ErrorCode::kAlreadyExists);
  auto conflict = client.update(resources::secrets(), "a", {{"metadata", {{"name", "x"}}}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code(), ErrorCode::kConflict);
  auto forbidden = client.get(resources::secrets(), "b", "x");
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(forbidden.error().message(), ::testing::StartsWith("secrets \"x\" is forbidden"));
  EXPECT_TRUE(client.remove(resources::secrets(), "a", "missing"));
}

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
  std::atomic<int> puts{0};
  std::atomic<int> gets{0};
  testing::HttpsTestServer server([&](HTTPServerRequest& request, HTTPServerResponse& response,
                                      auto&) {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    if (request.getMethod() == "GET") {
      ++gets;
      reply(
          response, 200,
          {{"metadata", {{"name", "default"}, {"resourceVersion", std::to_string(gets.load())}}}});
      return;
    }
    if (++puts < 3) {
      reply(response, 409, statusObject(409, "Conflict", "Operation cannot be fulfilled"));
      return;
    }
    reply(response, 200, Json::parse(body));
  });
  Client client(configFor(server));
  auto written = client.modify(resources::serviceAccounts(), "team-ns1", "default", [](Json& sa) {
    sa["imagePullSecrets"] = Json::array({{{"name", "harbor-secret-for-team.robot"}}});
    return Result<bool>(true);
  });
  ASSERT_TRUE(written) << written.error().message();
  EXPECT_EQ(puts.load(), 3);
  EXPECT_EQ(gets.load(), 3);
  EXPECT_EQ((*written)["metadata"]["resourceVersion"], "3");
  EXPECT_EQ((*written)["imagePullSecrets"][0]["name"], "harbor-secret-for-team.robot");
}

TEST(KubeClient, ModifyWritesNothingWhenNothingChanged) {
  std::atomic<int> writes{0};
  testing::HttpsTestServer server(
      [&](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
        if (request.getMethod() != "GET") {
          ++writes;
        }
        reply(response, 200, {{"metadata", {{"name", "default"}}}});
      });
  Client client(configFor(server));
  auto unchanged = client.modify(resources::serviceAccounts(), "a", "default",
                                 [](Json&) { return Result<bool>(false); });
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(writes.load(), 0);
}

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
  testing::HttpsTestServer server([&](HTTPServerRequest&, HTTPServerResponse& response, auto&) {
    response.setChunkedTransferEncoding(true);
    response.send() << R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",)"
                    << R"json("message":"too old resource version: 1 (50)"}})json"
                    << "\n";
  });
  Client client(configFor(server));
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
  testing::HttpsTestServer server(
      [&](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
        if (request.get("Authorization", "") != "Bearer new-token") {
          reply(response, 401, statusObject(401, "Unauthorized", "Unauthorized"));
          return;
        }
        reply(response, 200, {{"kind", "Namespace"}});
      });
  RestConfig config = configFor(server);
  config.tokens = std::make_shared<FileTokenSource>(dir / "token", std::chrono::hours(1));
  Client client(config);
  auto before = client.get(resources::namespaces(), "", "x");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code(), ErrorCode::kUnauthenticated);
  std::ofstream(dir / "token") << "new-token\n";
  auto after = client.get(resources::namespaces(), "", "x");
  EXPECT_TRUE(after) << after.error().message();
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace harborrobot::kube

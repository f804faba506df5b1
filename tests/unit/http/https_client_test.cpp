// The HTTP client against a real HTTPS server on loopback: TLS trust, client
// certificates, methods and bodies, headers, streaming, timeouts, transport errors.
#include "harborrobot/http/https_client.h"

#include <condition_variable>
#include <mutex>

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

namespace harborrobot::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Echoes what it received as "METHOD PATH|header|body|client-cn".
void echo(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
          const std::string& clientCommonName) {
  std::string body;
  Poco::StreamCopier::copyToString(request.stream(), body);
  std::string authorization = request.get("Authorization", "");
  if (request.hasCredentials() && authorization.starts_with("Basic")) {
    Poco::Net::HTTPBasicCredentials credentials(request);
    authorization = "basic:" + credentials.getUsername() + ":" + credentials.getPassword();
  }
  response.set("X-Echo-Header", request.get("X-Test", "-"));
  response.setStatus(request.getURI() == "/missing" ? Poco::Net::HTTPResponse::HTTP_NOT_FOUND
                                                    : Poco::Net::HTTPResponse::HTTP_OK);
  response.send() << request.getMethod() << " " << request.getURI() << "|" << authorization << "|"
                  << body << "|" << clientCommonName;
}

ClientOptions trusting(const testing::HttpsTestServer& server) {
  ClientOptions options;
  options.tls.caPem = server.authority().ca().certificatePem;
  return options;
}

TEST(HttpsClient, SendsMethodHeadersAndBodyOverVerifiedTls) {
  testing::HttpsTestServer server(echo);
  HttpsClient client(trusting(server));
  Request request;
  request.method = "PATCH";
  request.url = server.url() + "/api/v2.0/projects?name=team";
  request.headers["X-Test"] = "yes";
  request.headers["Authorization"] = "Bearer abc";
  request.body = R"({"a":1})";
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"(PATCH /api/v2.0/projects?name=team|Bearer abc|{"a":1}|)");
  EXPECT_EQ(response->headers["x-echo-header"], "yes");
  EXPECT_EQ(response->headers["X-ECHO-HEADER"], "yes");
}

TEST(HttpsClient, BasicAuthIsSentFromItsOwnField) {
  testing::HttpsTestServer server(echo);
  HttpsClient client(trusting(server));
  Request request;
  request.url = server.url() + "/api/v2.0/users/current";
  request.basicAuth = BasicAuth{"admin", SecretString("Harbor12345")};
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, "GET /api/v2.0/users/current|basic:admin:Harbor12345||");
}

TEST(HttpsClient, HttpErrorsAreResponsesNotErrors) {
  testing::HttpsTestServer server(echo);
  HttpsClient client(trusting(server));
  auto response = client.send({.url = server.url() + "/missing"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(HttpsClient, RefusesAServerItsCaDidNotSign) {
  testing::HttpsTestServer server(echo);
  testing::HttpsTestServer other(echo);
  HttpsClient client(trusting(other));
  auto response = client.send({.url = server.url() + "/"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(response.error().message(), StartsWith("GET " + server.url() + "/: "));
}

TEST(HttpsClient, PresentsAClientCertificate) {
  testing::HttpsTestServer server(echo);
  auto leaf = server.authority().issue(
      {.commonName = "system:admin", .serverAuth = false, .clientAuth = true});
  ASSERT_TRUE(leaf);
  ClientOptions options = trusting(server);
  options.tls.clientCertPem = leaf->certificatePem;
  options.tls.clientKeyPem = leaf->privateKeyPem;
  HttpsClient client(options);
  auto response = client.send({.url = server.url() + "/whoami"});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, "GET /whoami|||system:admin");
}

TEST(HttpsClient, StreamsChunksAndStopsWhenTheHandlerSaysSo) {
  testing::HttpsTestServer server([](auto&, Poco::Net::HTTPServerResponse& response, auto&) {
    response.setChunkedTransferEncoding(true);
    auto& out = response.send();
    for (int event = 0; event < 1000; ++event) {
      out << R"({"type":"ADDED","n":)" << event << "}\n";
      out.flush();
      if (!out.good()) {
        return;
      }
    }
  });
  HttpsClient client(trusting(server));
  std::string received;
  Request request{.url = server.url() + "/watch"};
  request.timeout = std::chrono::milliseconds(0);
  auto response = client.stream(request, [&](std::string_view chunk) {
    received.append(chunk);
    return received.find(R"("n":2})") == std::string::npos;
  });
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(received, StartsWith(R"({"type":"ADDED","n":0})"
                                   "\n"));
  EXPECT_THAT(received, HasSubstr(R"("n":2})"));
  EXPECT_TRUE(response->body.empty());
}

TEST(HttpsClient, TimesOutASlowServerAsDeadlineExceeded) {
  std::mutex mutex;
  std::condition_variable released;
  bool done = false;
  testing::HttpsTestServer server([&](auto&, Poco::Net::HTTPServerResponse& response, auto&) {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return done; });
    response.send() << "late";
  });
  HttpsClient client(trusting(server));
  Request request{.url = server.url() + "/slow"};
  request.timeout = std::chrono::milliseconds(300);
  auto response = client.send(request);
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  released.notify_all();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kDeadlineExceeded);
}

TEST(HttpsClient, ConnectionRefusedIsUnavailableAndNamesTheUrlWithoutQuery) {
  std::string url;
  {
    testing::HttpsTestServer server(echo);
    url = server.url();
  }
  HttpsClient client(ClientOptions{});
  auto response = client.send({.url = url + "/api?token=secret"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message(), StartsWith("GET " + url + "/api: "));
  EXPECT_THAT(response.error().message(), ::testing::Not(HasSubstr("secret")));
}

TEST(HttpsClient, ReusesHandlesAcrossManyCalls) {
  testing::HttpsTestServer server(echo);
  HttpsClient client(trusting(server));
  for (int call = 0; call < 50; ++call) {
    auto response = client.send({.url = server.url() + "/n/" + std::to_string(call)});
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "GET /n/" + std::to_string(call) + "|||");
  }
}

// Answers with the client's source port: the same port means the same connection.
void sourcePort(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const std::string&) {
  const std::string port = std::to_string(request.clientAddress().port());
  response.setContentLength(static_cast<std::streamsize>(port.size())); // else it closes
  response.send() << port;
}

TEST(HttpsClient, KeepsItsConnectionUntilClosedIdle) {
  testing::HttpsTestServer server(sourcePort);
  HttpsClient client(trusting(server));
  auto first = client.send({.url = server.url() + "/"});
  auto second = client.send({.url = server.url() + "/"});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, second->body) << "the second call reuses the first's connection";
  client.closeIdle();
  auto third = client.send({.url = server.url() + "/"});
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_NE(third->body, first->body) << "after closeIdle a new connection is opened";
}

} // namespace
} // namespace harborrobot::http

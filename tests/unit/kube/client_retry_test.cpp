// The Kubernetes client retries as client-go does (rest/with_retry.go): a 429,
// or a 5xx carrying Retry-After, after the server's wait, at most 10 times,
// counted in harborrobot_kube_request_retries_total. No real sleeping: the
// waits are recorded by an injected sleeper.
#include "harborrobot/kube/client.h"

#include <atomic>
#include <mutex>

#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/https_test_server.h"

namespace harborrobot::kube {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

struct Answer {
  int status;
  std::string retryAfter; // "" = no header
};

// Answers each request with the next scripted answer (the last one repeats).
// Hand-rolled: exact sequences of 429/5xx with chosen Retry-After values are
// what these tests are about, and a real apiserver gives them only by accident.
class ScriptedServer {
public:
  explicit ScriptedServer(std::vector<Answer> script)
      : script_(std::move(script)),
        server_([this](HTTPServerRequest& request, HTTPServerResponse& response, auto&) {
          std::string body;
          Poco::StreamCopier::copyToString(request.stream(), body);
          const std::size_t index = std::min<std::size_t>(requests_++, script_.size() - 1);
          const Answer& answer = script_[index];
          response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
          if (!answer.retryAfter.empty()) {
            response.set("Retry-After", answer.retryAfter);
          }
          if (answer.status == 429) {
            // The apiserver's flow control answers in plain text (filters/maxinflight.go).
            response.setContentType("text/plain; charset=utf-8");
            response.send() << "Too many requests, please try again later.\n";
            return;
          }
          response.setContentType("application/json");
          if (answer.status == 200) {
            response.send() << R"({"kind":"Secret","metadata":{"name":"harbor"}})";
          } else {
            response.send() << nlohmann::json{
                {"kind", "Status"},
                {"apiVersion", "v1"},
                {"status", "Failure"},
                {"message", "etcdserver: leader changed"},
                {"code",
                 answer.status}}.dump();
          }
        }) {}

  RestConfig config(std::vector<milliseconds>& waits) const {
    RestConfig config;
    config.server = server_.url();
    config.tls.caPem = server_.authority().ca().certificatePem;
    config.tokens = std::make_shared<StaticTokenSource>(SecretString("t0k3n"));
    config.sleep = [&waits](milliseconds wait) { waits.push_back(wait); };
    return config;
  }
  int requests() const { return requests_; }

private:
  std::vector<Answer> script_;
  std::atomic<int> requests_{0};
  testing::HttpsTestServer server_;
};

struct RetryCounter {
  metrics::Registry registry;
  metrics::Counter* counter = *registry.counter(kRequestRetriesMetric, "retries", {"code"});
};

TEST(KubeClientRetry, TooManyRequestsIsRetriedAfterTheServersWait) {
  ScriptedServer server({{429, "2"}, {429, "1"}, {200, ""}});
  std::vector<milliseconds> waits;
  RetryCounter retries;
  Client client(server.config(waits));
  client.countRetriesIn(retries.counter);
  auto secret = client.get(resources::secrets(), "x", "harbor");
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ(server.requests(), 3);
  EXPECT_THAT(waits, ElementsAre(milliseconds(2000), milliseconds(1000)));
  EXPECT_EQ(retries.counter->value({"429"}), 2);
  EXPECT_NE(
      retries.registry.render().find("harborrobot_kube_request_retries_total{code=\"429\"} 2"),
      std::string::npos)
      << retries.registry.render();
}

TEST(KubeClientRetry, AServerErrorWithRetryAfterIsRetriedAndWritesToo) {
  ScriptedServer server({{503, "0"}, {200, ""}});
  std::vector<milliseconds> waits;
  Client client(server.config(waits));
  auto created = client.create(resources::secrets(), "x", {{"metadata", {{"name", "harbor"}}}});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(server.requests(), 2);
  EXPECT_THAT(waits, ElementsAre(milliseconds(0)));
}

TEST(KubeClientRetry, GivesUpAfterTenRetriesWithTheLastAnswer) {
  ScriptedServer server({{503, "1"}});
  std::vector<milliseconds> waits;
  RetryCounter retries;
  Client client(server.config(waits));
  client.countRetriesIn(retries.counter);
  auto secret = client.get(resources::secrets(), "x", "harbor");
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(secret.error().message(), "etcdserver: leader changed");
  EXPECT_EQ(server.requests(), 11) << "the first attempt and 10 retries";
  EXPECT_EQ(waits.size(), 10u);
  EXPECT_EQ(retries.counter->value({"503"}), 10);
}

TEST(KubeClientRetry, NoRetryWithoutAUsableRetryAfter) {
  for (const Answer& answer : std::vector<Answer>{
           {500, ""}, {429, ""}, {503, "Fri, 31 Dec 1999 23:59:59 GMT"}, {409, "1"}, {404, "1"}}) {
    ScriptedServer server({answer});
    std::vector<milliseconds> waits;
    Client client(server.config(waits));
    auto secret = client.get(resources::secrets(), "x", "harbor");
    EXPECT_FALSE(secret);
    EXPECT_EQ(server.requests(), 1) << answer.status << " Retry-After: " << answer.retryAfter;
    EXPECT_TRUE(waits.empty());
  }
}

TEST(KubeClientRetry, RetryAfterFollowsClientGo) {
  http::Response response{.status = 429};
  EXPECT_FALSE(retryAfterWait(response));
  response.headers["retry-after"] = "3";
  EXPECT_EQ(retryAfterWait(response), std::chrono::seconds(3));
  response.headers["retry-after"] = "1.5";
  EXPECT_FALSE(retryAfterWait(response)) << "strconv.Atoi refuses fractions";
  response.status = 502;
  response.headers["retry-after"] = "1";
  EXPECT_EQ(retryAfterWait(response), std::chrono::seconds(1));
  response.status = 418;
  EXPECT_FALSE(retryAfterWait(response));
}

} // namespace
} // namespace harborrobot::kube

// The role endpoints over real HTTP on loopback.
#include "harborrobot/observability/health_server.h"

#include <atomic>

#include <gtest/gtest.h>

#include "harborrobot/http/https_client.h"

namespace harborrobot {
namespace {

http::Response get(int port, const std::string& path, const std::string& method = "GET") {
  http::HttpsClient client({});
  auto response =
      client.send({.method = method, .url = "http://127.0.0.1:" + std::to_string(port) + path});
  EXPECT_TRUE(response) << response.error().message();
  return response ? *response : http::Response{};
}

TEST(HealthServer, ServesProbesAndMetrics) {
  metrics::Registry registry;
  auto up = registry.gauge("harborrobot_up", "1 when serving.");
  ASSERT_TRUE(up);
  (*up)->set(1);
  std::atomic<bool> ready{false};
  auto server =
      HealthServer::start("127.0.0.1:0", {.ready = [&]() -> Status {
                            if (ready) {
                              return ok();
                            }
                            return makeError(ErrorCode::kUnavailable, "informers not synced");
                          }},
                          &registry);
  ASSERT_TRUE(server) << server.error().message();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(get(port, "/healthz").status, 200);
  EXPECT_EQ(get(port, "/healthz").body, "ok\n");
  const auto notReady = get(port, "/readyz");
  EXPECT_EQ(notReady.status, 503);
  EXPECT_EQ(notReady.body, "informers not synced\n");
  ready = true;
  EXPECT_EQ(get(port, "/readyz").status, 200);
  const auto metrics = get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers.at("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("harborrobot_up 1\n"), std::string::npos);
  EXPECT_EQ(get(port, "/secrets").status, 404);
  EXPECT_EQ(get(port, "/healthz", "POST").status, 405);
}

TEST(HealthServer, ReportsABusyPort) {
  auto first = HealthServer::start("127.0.0.1:0", {}, nullptr);
  ASSERT_TRUE(first);
  auto second = HealthServer::start("127.0.0.1:" + std::to_string((*first)->port()), {}, nullptr);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(second.error().message().starts_with("serving health endpoints on 127.0.0.1:"));
}

} // namespace
} // namespace harborrobot

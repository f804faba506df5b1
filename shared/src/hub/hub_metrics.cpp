// Registration of the hub's metrics, and the Harbor call instrumentation.
#include "harborrobot/hub/hub_metrics.h"

#include <chrono>
#include <string>

namespace harborrobot::hub {

Result<HubMetrics> registerHubMetrics(metrics::Registry& registry) {
  const std::vector<double> seconds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  auto reconciles = registry.counter("harborrobot_hub_reconciles_total",
                                     "Binding reconciles by result.", {"result"});
  auto reconcileSeconds = registry.histogram("harborrobot_hub_reconcile_duration_seconds",
                                             "Time per binding reconcile.", seconds, {"result"});
  auto harborRequests =
      registry.counter("harborrobot_hub_harbor_requests_total",
                       "HTTP calls to Harbor by method and status.", {"method", "code"});
  auto harborSeconds = registry.histogram("harborrobot_hub_harbor_request_duration_seconds",
                                          "Latency of HTTP calls to Harbor.", seconds, {"method"});
  auto robots = registry.gauge("harborrobot_hub_robots_managed",
                               "Robots carrying this cluster's marker, per binding.", {"binding"});
  auto problems =
      registry.counter("harborrobot_hub_connection_problems_total",
                       "Connection checks that found a problem, by reason.", {"reason"});
  if (!reconciles || !harborRequests || !problems) {
    return makeError(!reconciles       ? reconciles.error()
                     : !harborRequests ? harborRequests.error()
                                       : problems.error());
  }
  if (!reconcileSeconds || !harborSeconds) {
    return makeError(!reconcileSeconds ? reconcileSeconds.error() : harborSeconds.error());
  }
  if (!robots) {
    return makeError(robots.error());
  }
  return HubMetrics{*reconciles,    *reconcileSeconds, *harborRequests,
                    *harborSeconds, *robots,           *problems};
}

Result<http::Response> InstrumentedHttpClient::send(const http::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  auto response = inner_->send(request);
  if (metrics_ != nullptr && metrics_->harborRequests != nullptr) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    metrics_->harborRequests->inc(
        {request.method, response ? std::to_string(response->status) : std::string("error")});
    metrics_->harborSeconds->observe(took.count(), {request.method});
  }
  return response;
}

} // namespace harborrobot::hub

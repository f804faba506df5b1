// The hub's /metrics beyond the API and leader gauges: reconciles (count and
// duration by result), every HTTP call to Harbor (count and latency by method and
// status), robots managed per binding, and connection problems by reason.
#pragma once

#include <memory>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/observability/metrics.h"

namespace harborrobot::hub {

struct HubMetrics {
  metrics::Counter* reconciles = nullptr;         // {result}
  metrics::Histogram* reconcileSeconds = nullptr; // {result}
  metrics::Counter* harborRequests = nullptr;     // {method, code}
  metrics::Histogram* harborSeconds = nullptr;    // {method}
  metrics::Gauge* robotsManaged = nullptr;        // {binding}
  metrics::Counter* connectionProblems = nullptr; // {reason}
};

[[nodiscard]] Result<HubMetrics> registerHubMetrics(metrics::Registry& registry);

// An http::Client that counts and times every call it passes on; "code" is the
// HTTP status, or "error" when no response came.
class InstrumentedHttpClient final : public http::Client {
public:
  InstrumentedHttpClient(std::unique_ptr<http::Client> inner, const HubMetrics* metrics)
      : inner_(std::move(inner)), metrics_(metrics) {}
  [[nodiscard]] Result<http::Response> send(const http::Request& request) override;

private:
  std::unique_ptr<http::Client> inner_;
  const HubMetrics* metrics_;
};

} // namespace harborrobot::hub

// The HTTP endpoints every role serves: /healthz (liveness), /readyz
// (readiness) and /metrics (Prometheus). Plain HTTP, as kubelet probes and
// Prometheus scrapes expect by default; it serves no secret.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/metrics.h"

namespace harborrobot {

struct HealthChecks {
  std::function<Status()> live{};  // empty: always live
  std::function<Status()> ready{}; // empty: always ready
};

class HealthServer {
public:
  // Binds `address` ("127.0.0.1:0", "0.0.0.0:8080") and starts serving.
  [[nodiscard]] static Result<std::unique_ptr<HealthServer>>
  start(const std::string& address, HealthChecks checks, const metrics::Registry* registry);
  ~HealthServer(); // stops and waits for in-flight requests
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const;

private:
  struct Impl;
  explicit HealthServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot

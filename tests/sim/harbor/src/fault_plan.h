// Faults a Harbor in trouble produces, switched on through the admin endpoint
// /_sim/faults so clients' retry and failover paths can be tested: added
// latency, a fraction of 500/502/503, 429 with Retry-After, connection
// resets, a full outage (every connection reset) and hang windows (requests
// are held without an answer until the window ends, then reset).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::harborsim {

struct FaultDecision {
  std::chrono::milliseconds latency{0};
  enum class Kind { kNone, kStatus, kReset, kHang } kind = Kind::kNone;
  int status = 0;                                    // kStatus: 500, 502, 503 or 429
  std::chrono::steady_clock::time_point hangUntil{}; // kHang
};

class FaultPlan {
public:
  FaultPlan();

  // Replaces the plan with `plan` (every key optional; absent means off).
  // On error nothing changes and the message names the field and value.
  std::optional<std::string> configure(const nlohmann::json& plan);
  void clear();
  nlohmann::json describe() const;

  // The fault for one request to `path`; the caller sleeps and acts.
  FaultDecision decide(const std::string& path);
  // Whether a hang window is still open (clearing the plan closes it).
  bool hanging() const;

private:
  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  nlohmann::json plan_ = nlohmann::json::object();
  std::chrono::milliseconds latency_{0};
  double errorFraction_ = 0;
  std::vector<int> errorCodes_;
  double rateLimitFraction_ = 0;
  double resetFraction_ = 0;
  std::string pathPrefix_;
  std::chrono::steady_clock::time_point outageUntil_{};
  std::chrono::steady_clock::time_point hangUntil_{};
};

} // namespace harborrobot::harborsim

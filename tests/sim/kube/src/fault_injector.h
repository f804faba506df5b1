// Faults a real cluster produces, injected on demand so clients' retry and
// resume paths can be tested: latency, a fraction of 500s or 429s, 409 storms
// on one resource, outages, dropped watches, a forced 410 on the next watch and
// slow lists of one resource.
// Driven through /_sim/faults (admin only), which is not part of the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace harborrobot::kubesim {

class FaultInjector {
public:
  FaultInjector();

  // Replaces the plan from a JSON body; the error names the bad field.
  ApiResult<nlohmann::json> configure(const nlohmann::json& plan);
  void reset();
  nlohmann::json describe() const;

  // Sleeps the configured latency, then returns the error to answer instead
  // of serving the request, if any. `retryAfter` receives a Retry-After value.
  std::optional<ApiError> beforeRequest(const std::string& method, const std::string& resource,
                                        const std::string& name, std::string& retryAfter);
  // Sleeps the configured slowListMs when `verb` is "list" (not watch) of the
  // slowListResource: a list that arrives late, as from a loaded apiserver.
  void beforeList(const std::string& verb, const std::string& resource);
  // True once after expireNextWatch was set: that watch gets 410 at once.
  bool takeExpiredWatch();
  // Changes whenever watches are to be dropped; a watch ends when it differs
  // from the value it started with.
  std::uint64_t watchGeneration() const;

private:
  nlohmann::json describeLocked() const;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  std::chrono::milliseconds latency_{0};
  double errorFraction_ = 0;
  int errorCode_ = 500;
  std::string conflictResource_;
  double conflictFraction_ = 1.0;
  std::chrono::steady_clock::time_point outageUntil_{};
  bool expireNextWatch_ = false;
  std::string slowListResource_;
  std::chrono::milliseconds slowList_{0};
  std::uint64_t watchGeneration_ = 0;
};

} // namespace harborrobot::kubesim

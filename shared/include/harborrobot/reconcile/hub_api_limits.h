// What keeps the hub API standing under abuse, apart from its transport: a
// per-key rate limit (token buckets), a bounded cache of answers with expiry
// (TokenReview results, positive and negative) and the caps on what an
// agent's report may write into the shared status. Pure and clock-injected:
// tested with a fake clock (tests/unit/reconcile/hub_api_limits_test.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::reconcile {

using SteadyTime = std::chrono::steady_clock::time_point;

struct HubApiLimits {
  std::size_t maxBody = 1 << 20;              // bytes, else 413
  std::chrono::seconds headerTimeout{10};     // handshake and headers
  std::size_t maxConnectionsPerAddress = 32;  // open at once, else refused
  double requestsPerSecond = 10;              // per namespace, sustained
  double burst = 100;                         // per namespace, at once
  std::chrono::seconds positiveReviewTtl{60}; // a token that was accepted
  std::chrono::seconds negativeReviewTtl{10}; // a token that was refused
  std::size_t maxCachedReviews = 10000;       // entries, oldest dropped
  std::size_t maxReportBindings = 1000;       // entries of one report
  std::size_t maxReportText = 1024;           // lastError, bytes
  std::size_t maxReportWord = 256;            // names, reasons, version
};

// Token buckets, one per key (a namespace): `admit` spends one token, or says
// how long until one is there (the Retry-After). Memory stays bounded: past
// `maxKeys` keys, full buckets (idle keys) are forgotten first.
class RateLimiter {
public:
  RateLimiter(double perSecond, double burst, std::size_t maxKeys = 100000);
  // nullopt: admitted. Otherwise: refused; retry after that long (at least 1 s).
  std::optional<std::chrono::seconds> admit(const std::string& key, SteadyTime now);
  std::size_t keys() const;

private:
  struct Bucket {
    double tokens = 0;
    SteadyTime updated{};
  };
  void refill(Bucket& bucket, SteadyTime now) const;
  double perSecond_;
  double burst_;
  std::size_t maxKeys_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

// Answers by key, each until its own expiry; at most `maxEntries`, the
// soonest-expiring dropped first. Keys should be hashes, never secrets.
template <class Value> class ExpiringCache {
public:
  explicit ExpiringCache(std::size_t maxEntries) : maxEntries_(maxEntries) {}

  std::optional<Value> find(const std::string& key, SteadyTime now) {
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end()) {
      return std::nullopt;
    }
    if (found->second.second <= now) {
      entries_.erase(found);
      return std::nullopt;
    }
    return found->second.first;
  }

  void put(const std::string& key, Value value, SteadyTime until, SteadyTime now) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= maxEntries_ && !entries_.contains(key)) {
      std::erase_if(entries_, [&](const auto& entry) { return entry.second.second <= now; });
      while (entries_.size() >= maxEntries_) {
        auto soonest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
          if (it->second.second < soonest->second.second) {
            soonest = it;
          }
        }
        entries_.erase(soonest);
      }
    }
    entries_[key] = {std::move(value), until};
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

private:
  std::size_t maxEntries_;
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<Value, SteadyTime>> entries_;
};

// The report as it may reach the binding status: at most maxReportBindings
// entries, every string cut to its cap (on a UTF-8 boundary) and lastError
// passed through the core's redaction. Returns how many strings were cut.
std::size_t capReport(AgentReport& report, const HubApiLimits& limits);

// Whether a bearer token has the shape of a ServiceAccount token: a JWS in
// compact serialization (RFC 7515 section 7.1: three unpadded base64url parts
// joined by dots; Kubernetes signs its tokens so, pkg/serviceaccount/jwt.go),
// at most kMaxTokenBytes long. Anything else is refused without a TokenReview,
// so a flood of junk tokens costs the API server nothing.
inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;
bool isJwtShaped(std::string_view token);

// `text` cut to at most `limit` bytes without splitting a UTF-8 sequence, with
// "…" marking the cut.
std::string capText(std::string_view text, std::size_t limit);

} // namespace harborrobot::reconcile

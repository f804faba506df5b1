// The hub API's limits: token buckets, report caps.
#include "harborrobot/reconcile/hub_api_limits.h"

#include <algorithm>
#include <cmath>

#include "harborrobot/observability/redact.h"

namespace harborrobot::reconcile {

RateLimiter::RateLimiter(double perSecond, double burst, std::size_t maxKeys)
    : perSecond_(perSecond), burst_(std::max(1.0, burst)),
      maxKeys_(std::max<std::size_t>(1, maxKeys)) {}

void RateLimiter::refill(Bucket& bucket, SteadyTime now) const {
  if (now > bucket.updated) {
    const std::chrono::duration<double> elapsed = now - bucket.updated;
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * perSecond_);
    bucket.updated = now;
  }
}

std::optional<std::chrono::seconds> RateLimiter::admit(const std::string& key, SteadyTime now) {
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= maxKeys_) {
      // Forget idle keys (their buckets are full again): nothing is lost.
      for (auto it = buckets_.begin(); it != buckets_.end();) {
        refill(it->second, now);
        it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
      }
      if (buckets_.size() >= maxKeys_) {
        return std::chrono::seconds(1); // every key busy: refuse rather than grow
      }
    }
    found = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& bucket = found->second;
  refill(bucket, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait = perSecond_ > 0 ? (1 - bucket.tokens) / perSecond_ : 60;
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

std::size_t RateLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

bool isJwtShaped(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return false;
  }
  int parts = 1;
  bool partEmpty = true;
  for (const char c : token) {
    if (c == '.') {
      if (partEmpty) {
        return false;
      }
      ++parts;
      partEmpty = true;
      continue;
    }
    const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!base64url) {
      return false;
    }
    partEmpty = false;
  }
  return parts == 3 && !partEmpty;
}

std::string capText(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return std::string(text);
  }
  static constexpr std::string_view kMark = "…";
  if (limit < kMark.size()) {
    return std::string();
  }
  std::size_t cut = limit - kMark.size();
  // Back up to the start of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return std::string(text.substr(0, cut)) + std::string(kMark);
}

std::size_t capReport(AgentReport& report, const HubApiLimits& limits) {
  std::size_t cut = 0;
  const auto cap = [&](std::string& text, std::size_t limit) {
    if (text.size() > limit) {
      text = capText(text, limit);
      ++cut;
    }
  };
  if (report.bindings.size() > limits.maxReportBindings) {
    report.bindings.resize(limits.maxReportBindings);
    ++cut;
  }
  cap(report.agentVersion, limits.maxReportWord);
  for (auto& entry : report.bindings) {
    cap(entry.binding, limits.maxReportWord);
    cap(entry.robotName, limits.maxReportWord);
    cap(entry.reason, limits.maxReportWord);
    entry.lastError = redactSecrets(entry.lastError);
    cap(entry.lastError, limits.maxReportText);
  }
  return cut;
}

} // namespace harborrobot::reconcile

#include "fault_plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

std::string badField(const std::string& field, const json& value, const std::string& expected) {
  return fmt::format("{}: {} is not valid, expected {}", field,
                     value.dump(-1, ' ', false, json::error_handler_t::replace), expected);
}

} // namespace

FaultPlan::FaultPlan() : random_(std::random_device{}()) {}

std::optional<std::string> FaultPlan::configure(const json& plan) {
  if (!plan.is_object())
    return std::string("the fault plan must be a JSON object");
  static const std::vector<std::string> kKeys = {
      "latencyMs",     "errorFraction", "errorCodes",  "rateLimitFraction",
      "resetFraction", "outageSeconds", "hangSeconds", "pathPrefix"};
  for (const auto& [key, value] : plan.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      return badField(key, value,
                      "one of latencyMs, errorFraction, errorCodes, rateLimitFraction, "
                      "resetFraction, outageSeconds, hangSeconds, pathPrefix");
  }
  std::optional<std::string> error;
  auto number = [&](const char* key, double low, double high) {
    if (!plan.contains(key))
      return 0.0;
    const json& value = plan[key];
    if (!value.is_number() || value.get<double>() < low || value.get<double>() > high) {
      if (!error)
        error = badField(key, value, fmt::format("a number from {} to {}", low, high));
      return 0.0;
    }
    return value.get<double>();
  };
  const double latency = number("latencyMs", 0, 600000);
  const double errorFraction = number("errorFraction", 0, 1);
  const double rateLimitFraction = number("rateLimitFraction", 0, 1);
  const double resetFraction = number("resetFraction", 0, 1);
  const double outage = number("outageSeconds", 0, 3600);
  const double hang = number("hangSeconds", 0, 3600);
  if (error)
    return error;
  std::vector<int> codes = {500, 502, 503};
  if (plan.contains("errorCodes")) {
    const json& value = plan["errorCodes"];
    const bool valid = value.is_array() && !value.empty() &&
                       std::all_of(value.begin(), value.end(),
                                   [](auto& c) { return c == 500 || c == 502 || c == 503; });
    if (!valid)
      return badField("errorCodes", value, "a non-empty list of 500, 502 and 503");
    codes = value.get<std::vector<int>>();
  }
  std::string prefix;
  if (plan.contains("pathPrefix")) {
    if (!plan["pathPrefix"].is_string() || !plan["pathPrefix"].get<std::string>().starts_with("/"))
      return badField("pathPrefix", plan["pathPrefix"], "a path such as /service/token");
    prefix = plan["pathPrefix"];
  }
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  plan_ = plan;
  latency_ = std::chrono::milliseconds(static_cast<long long>(latency));
  errorFraction_ = errorFraction;
  errorCodes_ = codes;
  rateLimitFraction_ = rateLimitFraction;
  resetFraction_ = resetFraction;
  pathPrefix_ = prefix;
  outageUntil_ = now + std::chrono::milliseconds(static_cast<long long>(outage * 1000));
  hangUntil_ = now + std::chrono::milliseconds(static_cast<long long>(hang * 1000));
  return std::nullopt;
}

void FaultPlan::clear() {
  std::lock_guard lock(mutex_);
  plan_ = json::object();
  latency_ = std::chrono::milliseconds(0);
  errorFraction_ = rateLimitFraction_ = resetFraction_ = 0;
  pathPrefix_.clear();
  outageUntil_ = hangUntil_ = {};
}

json FaultPlan::describe() const {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  auto remaining = [&](std::chrono::steady_clock::time_point until) {
    return until > now
               ? std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() / 1000.0
               : 0.0;
  };
  return {{"plan", plan_},
          {"outageRemainingSeconds", remaining(outageUntil_)},
          {"hangRemainingSeconds", remaining(hangUntil_)}};
}

bool FaultPlan::hanging() const {
  std::lock_guard lock(mutex_);
  return std::chrono::steady_clock::now() < hangUntil_;
}

FaultDecision FaultPlan::decide(const std::string& path) {
  std::lock_guard lock(mutex_);
  FaultDecision decision;
  if (!pathPrefix_.empty() && !path.starts_with(pathPrefix_))
    return decision;
  decision.latency = latency_;
  const auto now = std::chrono::steady_clock::now();
  std::uniform_real_distribution<double> chance(0, 1);
  if (now < hangUntil_) {
    decision.kind = FaultDecision::Kind::kHang;
    decision.hangUntil = hangUntil_;
  } else if (now < outageUntil_ || chance(random_) < resetFraction_) {
    decision.kind = FaultDecision::Kind::kReset;
  } else if (chance(random_) < rateLimitFraction_) {
    decision.kind = FaultDecision::Kind::kStatus;
    decision.status = 429;
  } else if (chance(random_) < errorFraction_) {
    decision.kind = FaultDecision::Kind::kStatus;
    decision.status = errorCodes_[random_() % errorCodes_.size()];
  }
  return decision;
}

} // namespace harborrobot::harborsim

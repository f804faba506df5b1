#include "fault_injector.h"

#include <algorithm>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace harborrobot::kubesim {

using nlohmann::json;

FaultInjector::FaultInjector() : random_(std::random_device{}()) {}

namespace {

ApiError badField(const std::string& field, const json& value, const std::string& expected) {
  return badRequest(fmt::format("{}: {} is not valid (expected {})", field,
                                value.dump(-1, ' ', false, json::error_handler_t::replace),
                                expected));
}

} // namespace

ApiResult<json> FaultInjector::configure(const json& plan) {
  if (!plan.is_object())
    return tl::unexpected(badRequest("the fault plan must be a JSON object"));
  static const std::vector<std::string> kKnown = {
      "latencyMs",     "errorFraction", "errorCode",       "conflictResource", "conflictFraction",
      "outageSeconds", "dropWatches",   "expireNextWatch", "slowListResource", "slowListMs"};
  for (const auto& [key, value] : plan.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return tl::unexpected(
          badField(key, value,
                   "one of latencyMs, errorFraction, errorCode, conflictResource, "
                   "conflictFraction, outageSeconds, dropWatches, expireNextWatch, "
                   "slowListResource, slowListMs"));
    }
  }
  auto number = [&](const char* key, double low, double high) -> ApiResult<std::optional<double>> {
    if (!plan.contains(key))
      return std::optional<double>();
    const json& value = plan[key];
    if (!value.is_number() || value.get<double>() < low || value.get<double>() > high)
      return tl::unexpected(badField(key, value, fmt::format("a number from {} to {}", low, high)));
    return std::optional<double>(value.get<double>());
  };
  auto latency = number("latencyMs", 0, 600000);
  auto fraction = number("errorFraction", 0, 1);
  auto conflictFraction = number("conflictFraction", 0, 1);
  auto outage = number("outageSeconds", 0, 3600);
  auto slowList = number("slowListMs", 0, 600000);
  if (!slowList)
    return tl::unexpected(slowList.error());
  if (plan.contains("slowListResource") && !plan["slowListResource"].is_string())
    return tl::unexpected(badField("slowListResource", plan["slowListResource"],
                                   "a resource name such as namespaces"));
  if (!latency || !fraction || !conflictFraction || !outage) {
    return tl::unexpected(!latency            ? latency.error()
                          : !fraction         ? fraction.error()
                          : !conflictFraction ? conflictFraction.error()
                                              : outage.error());
  }
  int code = errorCode_;
  if (plan.contains("errorCode")) {
    const json& value = plan["errorCode"];
    if (!value.is_number_integer() || (value != 500 && value != 503 && value != 429))
      return tl::unexpected(badField("errorCode", value, "500, 503 or 429"));
    code = value.get<int>();
  }
  std::string conflictResource = conflictResource_;
  if (plan.contains("conflictResource")) {
    if (!plan["conflictResource"].is_string())
      return tl::unexpected(badField("conflictResource", plan["conflictResource"],
                                     "a resource name such as serviceaccounts"));
    conflictResource = plan["conflictResource"];
  }
  for (const char* flag : {"dropWatches", "expireNextWatch"}) {
    if (plan.contains(flag) && !plan[flag].is_boolean())
      return tl::unexpected(badField(flag, plan[flag], "true or false"));
  }
  std::lock_guard lock(mutex_);
  if (*latency)
    latency_ = std::chrono::milliseconds(static_cast<long long>(**latency));
  if (*fraction)
    errorFraction_ = **fraction;
  if (*conflictFraction)
    conflictFraction_ = **conflictFraction;
  errorCode_ = code;
  conflictResource_ = conflictResource;
  if (*outage) {
    outageUntil_ = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<long long>(**outage * 1000));
  }
  if (plan.contains("slowListResource"))
    slowListResource_ = plan["slowListResource"].get<std::string>();
  if (*slowList)
    slowList_ = std::chrono::milliseconds(static_cast<long long>(**slowList));
  if (plan.value("dropWatches", false))
    ++watchGeneration_;
  if (plan.contains("expireNextWatch"))
    expireNextWatch_ = plan["expireNextWatch"].get<bool>();
  return describeLocked();
}

void FaultInjector::reset() {
  std::lock_guard lock(mutex_);
  latency_ = std::chrono::milliseconds(0);
  errorFraction_ = 0;
  errorCode_ = 500;
  conflictResource_.clear();
  conflictFraction_ = 1.0;
  outageUntil_ = {};
  expireNextWatch_ = false;
  slowListResource_.clear();
  slowList_ = std::chrono::milliseconds(0);
}

json FaultInjector::describe() const {
  std::lock_guard lock(mutex_);
  return describeLocked();
}

json FaultInjector::describeLocked() const {
  const auto outageLeft = outageUntil_ - std::chrono::steady_clock::now();
  return {{"latencyMs", latency_.count()},
          {"errorFraction", errorFraction_},
          {"errorCode", errorCode_},
          {"conflictResource", conflictResource_},
          {"conflictFraction", conflictFraction_},
          {"outageSecondsLeft", std::max(0.0, std::chrono::duration<double>(outageLeft).count())},
          {"expireNextWatch", expireNextWatch_},
          {"slowListResource", slowListResource_},
          {"slowListMs", slowList_.count()},
          {"watchGeneration", watchGeneration_}};
}

std::optional<ApiError> FaultInjector::beforeRequest(const std::string& method,
                                                     const std::string& resource,
                                                     const std::string& name,
                                                     std::string& retryAfter) {
  std::chrono::milliseconds delay;
  std::optional<ApiError> error;
  {
    std::lock_guard lock(mutex_);
    delay = latency_;
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    if (std::chrono::steady_clock::now() < outageUntil_) {
      retryAfter = "1";
      error = statusError(503, "ServiceUnavailable",
                          "the server is currently unable to handle the request");
    } else if (errorFraction_ > 0 && draw(random_) < errorFraction_) {
      if (errorCode_ == 429) {
        retryAfter = "1";
        error = statusError(429, "TooManyRequests",
                            "the server has received too many requests and has asked us to try "
                            "again later");
      } else if (errorCode_ == 503) {
        retryAfter = "1";
        error = statusError(503, "ServiceUnavailable",
                            "the server is currently unable to handle the request");
      } else {
        error =
            statusError(500, "InternalError", "Internal error occurred: injected by the simulator");
      }
    } else if (!conflictResource_.empty() && resource == conflictResource_ &&
               (method == "PUT" || method == "PATCH") && draw(random_) < conflictFraction_) {
      error = conflict(resource, name,
                       "the object has been modified; please apply your changes "
                       "to the latest version and try again");
    }
  }
  if (delay.count() > 0)
    std::this_thread::sleep_for(delay);
  return error;
}

void FaultInjector::beforeList(const std::string& verb, const std::string& resource) {
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(mutex_);
    if (verb == "list" && !slowListResource_.empty() && resource == slowListResource_)
      delay = slowList_;
  }
  if (delay.count() > 0)
    std::this_thread::sleep_for(delay);
}

bool FaultInjector::takeExpiredWatch() {
  std::lock_guard lock(mutex_);
  const bool expire = expireNextWatch_;
  expireNextWatch_ = false;
  return expire;
}

std::uint64_t FaultInjector::watchGeneration() const {
  std::lock_guard lock(mutex_);
  return watchGeneration_;
}

} // namespace harborrobot::kubesim

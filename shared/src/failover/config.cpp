// config.yaml parsing for the failover watchdog.
#include "harborrobot/failover/config.h"

#include <fmt/format.h>

#include "harborrobot/util/go_duration.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/yaml_json.h"

namespace harborrobot::failover {

namespace {

constexpr std::string_view kKeys[] = {
    "condition_check_script", "start_script",      "stop_script",   "status_script",
    "check_interval",         "failure_threshold", "script_timeout"};

// Strings as they are; anything else as JSON.
std::string shown(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : jsonText(value);
}

Result<std::string> scriptPath(const nlohmann::json& config, std::string_view key) {
  const std::string name(key);
  if (!config.contains(name) || config[name].is_null()) {
    return makeError(fieldErrorWithoutValue(key, "is required", "the path of a script"));
  }
  if (!config[name].is_string() || config[name].get<std::string>().empty()) {
    return makeError(fieldError(key, shown(config[name]), "is not a script path",
                                "a path such as /scripts/check.sh"));
  }
  return config[name].get<std::string>();
}

Result<std::chrono::nanoseconds> duration(const nlohmann::json& config, std::string_view key,
                                          std::chrono::nanoseconds fallback) {
  const std::string name(key);
  if (!config.contains(name) || config[name].is_null()) {
    return fallback;
  }
  const std::string text =
      config[name].is_string() ? config[name].get<std::string>() : jsonText(config[name]);
  auto parsed = config[name].is_string()
                    ? parseGoDuration(text)
                    : Result<GoDuration>(makeError(ErrorCode::kInvalidArgument, ""));
  if (!parsed) {
    return makeError(fieldError(key, text, "is not a duration", "a Go duration such as 30s or 2m"));
  }
  if (*parsed <= std::chrono::nanoseconds(0)) {
    return makeError(fieldError(key, text, "is not positive", "a duration above 0, e.g. 30s"));
  }
  return *parsed;
}

} // namespace

Result<FailoverConfig> parseFailoverConfig(std::string_view yaml) {
  auto document = yamlToJson(yaml);
  if (!document) {
    return makeError(document.error().withContext("config"));
  }
  const nlohmann::json& config = *document;
  if (!config.is_object()) {
    return makeError(fieldError("config", jsonText(config), "is not a mapping",
                                "the keys condition_check_script, start_script, ..."));
  }
  for (const auto& [key, value] : config.items()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      return makeError(fieldError(key, key, "is not a known key",
                                  fmt::format("one of {}", fmt::join(kKeys, ", "))));
    }
  }
  FailoverConfig out;
  for (const auto& [key, target] :
       {std::pair{"condition_check_script", &out.conditionCheckScript},
        std::pair{"start_script", &out.startScript}, std::pair{"stop_script", &out.stopScript},
        std::pair{"status_script", &out.statusScript}}) {
    auto path = scriptPath(config, key);
    if (!path) {
      return makeError(path.error());
    }
    *target = *path;
  }
  auto interval = duration(config, "check_interval", out.checkInterval);
  if (!interval) {
    return makeError(interval.error());
  }
  out.checkInterval = *interval;
  auto timeout = duration(config, "script_timeout", out.scriptTimeout);
  if (!timeout) {
    return makeError(timeout.error());
  }
  out.scriptTimeout = *timeout;
  if (config.contains("failure_threshold") && !config["failure_threshold"].is_null()) {
    const auto& threshold = config["failure_threshold"];
    if (!threshold.is_number_integer() || threshold.get<std::int64_t>() < 1 ||
        threshold.get<std::int64_t>() > 1'000'000) {
      return makeError(fieldError("failure_threshold", shown(threshold),
                                  "is not a positive whole number", "e.g. 3"));
    }
    out.failureThreshold = static_cast<int>(threshold.get<std::int64_t>());
  }
  return out;
}

} // namespace harborrobot::failover

// JSON log lines: fixed leading keys, then the caller's fields; written whole in
// one sink call so concurrent lines never interleave.
#include "harborrobot/observability/logger.h"

#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harborrobot/observability/redact.h"

namespace harborrobot {

namespace {

std::string_view levelName(LogLevel level) {
  switch (level) {
  case LogLevel::kDebug:
    return "debug";
  case LogLevel::kInfo:
    return "info";
  case LogLevel::kWarn:
    return "warn";
  case LogLevel::kError:
    return "error";
  }
  return "info";
}

std::string timestamp(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", std::chrono::floor<std::chrono::seconds>(time),
                     millis);
}

} // namespace

Result<LogLevel> parseLogLevel(std::string_view text) {
  static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {{"debug", LogLevel::kDebug},
                                                                      {"info", LogLevel::kInfo},
                                                                      {"warn", LogLevel::kWarn},
                                                                      {"error", LogLevel::kError}};
  for (const auto& [name, level] : kLevels) {
    if (name == text) {
      return level;
    }
  }
  return makeError(
      fieldError("--log-level", text, "is not a log level", "debug, info, warn or error"));
}

LogField::LogField(std::string_view key, std::string_view value)
    : key_(key), value_(std::string(value)) {}
LogField::LogField(std::string_view key, const char* value)
    : key_(key), value_(std::string(value == nullptr ? "" : value)) {}
LogField::LogField(std::string_view key, const std::string& value) : key_(key), value_(value) {}
LogField::LogField(std::string_view key, std::int64_t value) : key_(key), value_(value) {}
LogField::LogField(std::string_view key, int value)
    : key_(key), value_(static_cast<std::int64_t>(value)) {}
LogField::LogField(std::string_view key, double value) : key_(key), value_(value) {}
LogField::LogField(std::string_view key, bool value) : key_(key), value_(value) {}

struct Logger::State {
  std::string component;
  LogSink sink;
  LogLevel minimum;
  std::function<std::chrono::system_clock::time_point()> clock;
  std::vector<LogField> fields;
};

LogSink Logger::stderrSink() {
  // One mutex per sink, shared by the loggers derived from it.
  auto mutex = std::make_shared<std::mutex>();
  return [mutex](std::string_view line) {
    std::lock_guard lock(*mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  };
}

Logger::Logger(std::string component, LogSink sink, LogLevel minimum,
               std::function<std::chrono::system_clock::time_point()> clock) {
  auto state = std::make_shared<State>();
  state->component = std::move(component);
  state->sink = std::move(sink);
  state->minimum = minimum;
  state->clock = clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); };
  state_ = std::move(state);
}

void Logger::log(LogLevel level, std::string_view message,
                 std::initializer_list<LogField> fields) const {
  if (level < state_->minimum) {
    return;
  }
  nlohmann::ordered_json line;
  line["ts"] = timestamp(state_->clock());
  line["level"] = levelName(level);
  line["component"] = state_->component;
  line["msg"] = std::string(message);
  const auto add = [&line](const LogField& field) {
    std::visit(
        [&](const auto& value) {
          // Text fields carry foreign text (Harbor's and the API server's
          // errors): redacted at the edge, whoever logs them.
          if constexpr (std::is_convertible_v<decltype(value), std::string_view>) {
            line[field.key()] = redactSecrets(value);
          } else {
            line[field.key()] = value;
          }
        },
        field.value());
  };
  for (const auto& field : state_->fields) {
    add(field);
  }
  for (const auto& field : fields) {
    add(field);
  }
  state_->sink(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void Logger::debug(std::string_view message, std::initializer_list<LogField> fields) const {
  log(LogLevel::kDebug, message, fields);
}
void Logger::info(std::string_view message, std::initializer_list<LogField> fields) const {
  log(LogLevel::kInfo, message, fields);
}
void Logger::warn(std::string_view message, std::initializer_list<LogField> fields) const {
  log(LogLevel::kWarn, message, fields);
}
void Logger::error(std::string_view message, std::initializer_list<LogField> fields) const {
  log(LogLevel::kError, message, fields);
}

Logger Logger::with(std::initializer_list<LogField> fields) const {
  Logger derived = *this;
  auto state = std::make_shared<State>(*state_);
  state->fields.insert(state->fields.end(), fields.begin(), fields.end());
  derived.state_ = std::move(state);
  return derived;
}

} // namespace harborrobot

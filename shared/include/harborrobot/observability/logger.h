// Structured logging: one JSON object per line
// ({"ts":"…","level":"info","msg":"…","component":"hub",<fields>}).
// The sink is injected so tests read what was logged; a SecretString cannot be a
// field (the LogField constructor for it is deleted).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn" or "error" (every role's --log-level); anything else
// is refused, naming the value, never read as a default.
Result<LogLevel> parseLogLevel(std::string_view text);

class LogField {
public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const char* value);
  LogField(std::string_view key, const std::string& value);
  LogField(std::string_view key, std::int64_t value);
  LogField(std::string_view key, int value);
  LogField(std::string_view key, double value);
  LogField(std::string_view key, bool value);
  // Compile-time redaction: logging a secret does not build.
  LogField(std::string_view key, const SecretString& value) = delete;

  const std::string& key() const { return key_; }
  const std::variant<std::string, std::int64_t, double, bool>& value() const { return value_; }

private:
  std::string key_;
  std::variant<std::string, std::int64_t, double, bool> value_;
};

// Receives complete lines (without the trailing newline).
using LogSink = std::function<void(std::string_view line)>;

class Logger {
public:
  // Writes to stderr; the default for binaries.
  static LogSink stderrSink();

  Logger(std::string component, LogSink sink, LogLevel minimum = LogLevel::kInfo,
         std::function<std::chrono::system_clock::time_point()> clock = {});

  void log(LogLevel level, std::string_view message,
           std::initializer_list<LogField> fields = {}) const;
  void debug(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  void info(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  void warn(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  void error(std::string_view message, std::initializer_list<LogField> fields = {}) const;

  // A logger whose lines carry these fields too (e.g. binding, namespace).
  Logger with(std::initializer_list<LogField> fields) const;

private:
  struct State;
  std::shared_ptr<const State> state_;
};

} // namespace harborrobot

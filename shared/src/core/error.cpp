// Error values: names, transient classification, and the field-message shape.
#include "harborrobot/core/error.h"

#include <fmt/format.h>

namespace harborrobot {

namespace {
// Long enough for any legitimate field value, short enough that one hostile value
// cannot turn an event or a log line into megabytes.
constexpr std::size_t kMaxQuotedValue = 200;
} // namespace

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
  case ErrorCode::kInvalidArgument:
    return "InvalidArgument";
  case ErrorCode::kNotFound:
    return "NotFound";
  case ErrorCode::kAlreadyExists:
    return "AlreadyExists";
  case ErrorCode::kConflict:
    return "Conflict";
  case ErrorCode::kPermissionDenied:
    return "PermissionDenied";
  case ErrorCode::kUnauthenticated:
    return "Unauthenticated";
  case ErrorCode::kFailedPrecondition:
    return "FailedPrecondition";
  case ErrorCode::kUnavailable:
    return "Unavailable";
  case ErrorCode::kDeadlineExceeded:
    return "DeadlineExceeded";
  case ErrorCode::kResourceExhausted:
    return "ResourceExhausted";
  case ErrorCode::kUnimplemented:
    return "Unimplemented";
  case ErrorCode::kInternal:
    return "Internal";
  }
  return "Unknown";
}

bool isTransient(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded ||
         code == ErrorCode::kResourceExhausted || code == ErrorCode::kConflict;
}

Error::Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

Error Error::withContext(std::string_view context) const& {
  return Error(code_, fmt::format("{}: {}", context, message_));
}

Error Error::withContext(std::string_view context) && {
  message_ = fmt::format("{}: {}", context, message_);
  return std::move(*this);
}

std::string quoteForMessage(std::string_view value) {
  std::string out = "\"";
  const std::size_t shown = std::min(value.size(), kMaxQuotedValue);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    switch (byte) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (byte < 0x20 || byte == 0x7f) {
        out += fmt::format("\\x{:02x}", byte);
      } else {
        out += static_cast<char>(byte);
      }
    }
  }
  out += '"';
  if (value.size() > kMaxQuotedValue) {
    out += fmt::format(" (truncated, {} bytes)", value.size());
  }
  return out;
}

Error fieldError(std::string_view path, std::string_view value, std::string_view problem,
                 std::string_view expected) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {} {} (expected {})", path,
                                                        quoteForMessage(value), problem, expected));
}

Error fieldErrorWithoutValue(std::string_view path, std::string_view problem,
                             std::string_view expected) {
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("{}: {} (expected {})", path, problem, expected));
}

} // namespace harborrobot

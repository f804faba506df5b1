// Error values for the core and its plugins: a code a caller can branch on and a
// message a person can act on, with the context each layer adds on the way up.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot {

// Codes follow the gRPC/abseil canon so callers can map them to HTTP statuses and
// Kubernetes reasons without guessing.
enum class ErrorCode {
  kInvalidArgument,    // the input is malformed; retrying the same input cannot help
  kNotFound,           // the thing asked for does not exist
  kAlreadyExists,      // creating something that is already there
  kConflict,           // optimistic concurrency lost (a stale resourceVersion)
  kPermissionDenied,   // authenticated, but not allowed
  kUnauthenticated,    // no valid identity
  kFailedPrecondition, // the system is not in a state where this can succeed
  kUnavailable,        // transient: retry with backoff
  kDeadlineExceeded,   // transient: it took too long
  kResourceExhausted,  // throttled or a limit reached
  kUnimplemented,      // not supported by this build or peer
  kInternal,           // an invariant broke; a bug
};

std::string_view errorCodeName(ErrorCode code);

// True for the codes that a retry with backoff may cure.
bool isTransient(ErrorCode code);

class Error {
public:
  Error(ErrorCode code, std::string message);

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prepends "context: " so a message reads outermost layer first, as in
  // "loading provider /x/libharbor.so: ABI version mismatch: got 2, expected 3".
  Error withContext(std::string_view context) const&;
  Error withContext(std::string_view context) &&;

  bool operator==(const Error& other) const = default;

private:
  ErrorCode code_;
  std::string message_;
};

// A message for an input field, in the project's one shape:
//   <path>: "<value>" <problem> (expected <expectation>)
// The value is quoted and escaped so control characters and quotes cannot garble it.
Error fieldError(std::string_view path, std::string_view value, std::string_view problem,
                 std::string_view expected);

// For a field whose value must not be echoed (a password) or that is absent.
Error fieldErrorWithoutValue(std::string_view path, std::string_view problem,
                             std::string_view expected);

// Quotes a value for a message, escaping quotes, backslashes and control bytes and
// truncating long values so a hostile input cannot flood a log line.
std::string quoteForMessage(std::string_view value);

} // namespace harborrobot

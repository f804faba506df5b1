// HTTP statuses ↔ ErrorCode, for every client and server of the project.
#include "harborrobot/http/status_codes.h"

namespace harborrobot::http {

ErrorCode errorCodeForStatus(int status, ErrorCode otherwise) {
  switch (status) {
  case 400:
  case 422:
    return ErrorCode::kInvalidArgument;
  case 401:
    return ErrorCode::kUnauthenticated;
  case 403:
    return ErrorCode::kPermissionDenied;
  case 404:
    return ErrorCode::kNotFound;
  case 409:
    return ErrorCode::kConflict;
  case 429:
    return ErrorCode::kResourceExhausted;
  default:
    return status >= 500 ? ErrorCode::kUnavailable : otherwise;
  }
}

int statusForErrorCode(ErrorCode code) {
  switch (code) {
  case ErrorCode::kInvalidArgument:
    return 400;
  case ErrorCode::kUnauthenticated:
    return 401;
  case ErrorCode::kPermissionDenied:
    return 403;
  case ErrorCode::kNotFound:
    return 404;
  case ErrorCode::kFailedPrecondition:
  case ErrorCode::kConflict:
  case ErrorCode::kAlreadyExists:
    return 409;
  case ErrorCode::kResourceExhausted:
    return 429;
  default:
    return 503;
  }
}

} // namespace harborrobot::http

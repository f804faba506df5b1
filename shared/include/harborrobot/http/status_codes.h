// The one mapping between HTTP statuses and ErrorCode, both ways. A peer whose
// statuses mean something else for some codes (Harbor's 409, Kubernetes' 410)
// handles those first, as a commented exception, and asks this for the rest.
#pragma once

#include "harborrobot/core/error.h"

namespace harborrobot::http {

// 400 and 422 → kInvalidArgument, 401 → kUnauthenticated, 403 → kPermissionDenied,
// 404 → kNotFound, 409 → kConflict, 429 → kResourceExhausted, 500 and above →
// kUnavailable; any other status (a 2xx or 3xx where an error was expected, a 4xx
// outside this list) → `otherwise`, by default kUnavailable: most often an
// answer from something in between (a proxy, a load balancer).
ErrorCode errorCodeForStatus(int status, ErrorCode otherwise = ErrorCode::kUnavailable);

// The status a server answers an error with: kInvalidArgument 400,
// kUnauthenticated 401, kPermissionDenied 403, kNotFound 404, kConflict,
// kAlreadyExists and kFailedPrecondition 409, kResourceExhausted 429, any other
// code 503. errorCodeForStatus reads each of these back as the code it came from,
// except that 409 reads as kConflict.
int statusForErrorCode(ErrorCode code);

} // namespace harborrobot::http

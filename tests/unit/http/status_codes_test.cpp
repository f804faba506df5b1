// The one mapping between HTTP statuses and ErrorCode, both ways: the table
// pinned, the fallback for unlisted statuses, and the server's codes read back.
#include "harborrobot/http/status_codes.h"

#include <gtest/gtest.h>

namespace harborrobot::http {
namespace {

TEST(StatusCodes, MapsTheStatusesEveryPeerAgreesOn) {
  EXPECT_EQ(errorCodeForStatus(400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(errorCodeForStatus(422), ErrorCode::kInvalidArgument);
  EXPECT_EQ(errorCodeForStatus(401), ErrorCode::kUnauthenticated);
  EXPECT_EQ(errorCodeForStatus(403), ErrorCode::kPermissionDenied);
  EXPECT_EQ(errorCodeForStatus(404), ErrorCode::kNotFound);
  EXPECT_EQ(errorCodeForStatus(409), ErrorCode::kConflict);
  EXPECT_EQ(errorCodeForStatus(429), ErrorCode::kResourceExhausted);
  for (const int status : {500, 502, 503, 504, 599, 600}) {
    EXPECT_EQ(errorCodeForStatus(status, ErrorCode::kInternal), ErrorCode::kUnavailable) << status;
  }
}

TEST(StatusCodes, AnyOtherStatusIsTheCallersFallback) {
  for (const int status : {200, 302, 405, 410, 412, 413, 415}) {
    EXPECT_EQ(errorCodeForStatus(status), ErrorCode::kUnavailable) << status;
    EXPECT_EQ(errorCodeForStatus(status, ErrorCode::kInternal), ErrorCode::kInternal) << status;
  }
  EXPECT_EQ(errorCodeForStatus(404, ErrorCode::kInternal), ErrorCode::kNotFound)
      << "the fallback is for unlisted statuses only";
}

TEST(StatusCodes, AServersStatusForEachCode) {
  EXPECT_EQ(statusForErrorCode(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kNotFound), 404);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kConflict), 409);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(statusForErrorCode(ErrorCode::kResourceExhausted), 429);
  for (const ErrorCode code : {ErrorCode::kUnavailable, ErrorCode::kDeadlineExceeded,
                               ErrorCode::kUnimplemented, ErrorCode::kInternal}) {
    EXPECT_EQ(statusForErrorCode(code), 503) << errorCodeName(code);
  }
}

TEST(StatusCodes, EachStatusAServerGivesReadsBackAsItsCode) {
  for (const ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
        ErrorCode::kNotFound, ErrorCode::kConflict, ErrorCode::kResourceExhausted,
        ErrorCode::kUnavailable}) {
    EXPECT_EQ(errorCodeForStatus(statusForErrorCode(code)), code) << errorCodeName(code);
  }
  EXPECT_EQ(errorCodeForStatus(statusForErrorCode(ErrorCode::kAlreadyExists)), ErrorCode::kConflict)
      << "409 folds three codes into one";
}

} // namespace
} // namespace harborrobot::http

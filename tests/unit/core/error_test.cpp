// Error values: context chaining, field-message shape, quoting of hostile values.
#include "harborrobot/core/error.h"
#include "harborrobot/core/result.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

TEST(Error, ContextReadsOutermostFirst) {
  const Error inner(ErrorCode::kFailedPrecondition, "ABI version mismatch: got 2, expected 3");
  const Error outer = inner.withContext("loading provider /x/libharbor.so");
  EXPECT_EQ(outer.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(outer.message(),
            "loading provider /x/libharbor.so: ABI version mismatch: got 2, expected 3");
}

TEST(Error, FieldErrorNamesPathValueAndExpectation) {
  const Error error =
      fieldError("spec.refreshInterval", "6 hours", "is not a duration", "e.g. 6h, 1h30m, 90s");
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.message(),
            R"(spec.refreshInterval: "6 hours" is not a duration (expected e.g. 6h, 1h30m, 90s))");
}

TEST(Error, QuoteEscapesControlBytesAndQuotes) {
  EXPECT_EQ(quoteForMessage("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\x01")");
}

TEST(Error, QuoteTruncatesHugeValues) {
  const std::string huge(5000, 'x');
  const std::string quoted = quoteForMessage(huge);
  EXPECT_LT(quoted.size(), 300u);
  EXPECT_NE(quoted.find("(truncated, 5000 bytes)"), std::string::npos);
}

TEST(Error, TransientCodes) {
  EXPECT_TRUE(isTransient(ErrorCode::kUnavailable));
  EXPECT_TRUE(isTransient(ErrorCode::kConflict));
  EXPECT_FALSE(isTransient(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(isTransient(ErrorCode::kPermissionDenied));
}

TEST(Result, CarriesValueOrError) {
  const auto parse = [](bool good) -> Result<int> {
    if (good) {
      return 42;
    }
    return makeError(ErrorCode::kInvalidArgument, "bad");
  };
  ASSERT_TRUE(parse(true).has_value());
  EXPECT_EQ(*parse(true), 42);
  ASSERT_FALSE(parse(false).has_value());
  EXPECT_EQ(parse(false).error().message(), "bad");
  EXPECT_EQ(errorCodeName(parse(false).error().code()), "InvalidArgument");
}

} // namespace
} // namespace harborrobot

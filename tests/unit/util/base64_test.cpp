// Base64: RFC 4648 test vectors and strict decoding errors.
#include "harborrobot/util/base64.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(plain), encoded);
    auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    all += static_cast<char>(byte);
  }
  EXPECT_EQ(base64Decode(base64Encode(all)).value(), all);
}

TEST(Base64, StrictDecodingNamesTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Zm9", "illegal base64 data: length 3 is not a multiple of 4"},
      {"Zm9v\n", "illegal base64 data: length 5 is not a multiple of 4"},
      {"Zm-v", "illegal base64 data at input byte 2"},
      {"Z===", "illegal base64 data at input byte 1"},
      {"Zg=a", "illegal base64 data at input byte 2"},
      {"Zg==Zg==", "illegal base64 data at input byte 2"},
  };
  for (const auto& [text, message] : cases) {
    auto decoded = base64Decode(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().message(), message) << text;
  }
}

} // namespace
} // namespace harborrobot

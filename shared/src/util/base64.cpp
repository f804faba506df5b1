// Base64 through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock. OpenSSL's decoder
// is lenient (it skips surrounding whitespace and decodes padding as zero
// bytes), so the strict rules Go's StdEncoding applies are checked here first,
// with the offset of the first bad byte.
#include "harborrobot/util/base64.h"

#include <openssl/evp.h>

#include <fmt/format.h>

namespace harborrobot {

namespace {

bool inAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// The offset of the first byte that breaks the standard alphabet or its
// padding ('=' only as the last one or two bytes), or npos.
std::size_t firstIllegalByte(std::string_view text) {
  const std::size_t padding = text.ends_with("==") ? 2 : (text.ends_with('=') ? 1 : 0);
  const std::size_t data = text.size() - padding;
  for (std::size_t i = 0; i < data; ++i) {
    if (!inAlphabet(text[i])) {
      return i;
    }
  }
  return std::string_view::npos;
}

} // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("illegal base64 data: length {} is not a multiple of 4", text.size()));
  }
  if (const auto bad = firstIllegalByte(text); bad != std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("illegal base64 data at input byte {}", bad));
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0) {
    return makeError(ErrorCode::kInvalidArgument, "illegal base64 data");
  }
  // EVP_DecodeBlock decodes the padding as zero bytes; they are not data.
  const std::size_t padding = text.ends_with("==") ? 2 : (text.ends_with('=') ? 1 : 0);
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

} // namespace harborrobot

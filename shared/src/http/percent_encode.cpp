// Percent-encoding shared by the Kubernetes client and the registry providers.
#include "harborrobot/http/percent_encode.h"

#include <cctype>

#include <fmt/format.h>

namespace harborrobot::http {

std::string percentEncode(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

} // namespace harborrobot::http

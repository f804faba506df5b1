// Extracts the host of a URL without a general URL parser: the connection Secret
// parser has already validated the URL, this only needs the authority's host.
#include "url_host.h"

#include <fmt/format.h>

namespace harborrobot::plugins::if_ip_equal {

Result<std::string> hostOfUrl(std::string_view url) {
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    rest.remove_prefix(at + 1);
  }
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return makeError(fieldError("url", url, "has an unterminated IPv6 literal",
                                  "e.g. https://[2001:db8::1]:443"));
    }
    host = rest.substr(1, close - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  if (host.empty()) {
    return makeError(fieldError("url", url, "has no host", "e.g. https://harbor.example.com"));
  }
  return std::string(host);
}

} // namespace harborrobot::plugins::if_ip_equal

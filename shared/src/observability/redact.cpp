// redactSecrets: a few regular expressions over the text.
#include "harborrobot/observability/redact.h"

#include <regex>

namespace harborrobot {

std::string redactSecrets(std::string_view text) {
  static const std::regex authorization(
      R"(((?:authorization|proxy-authorization)\s*[:=]\s*"?(?:bearer|basic)?\s*)[^\s",;]+)",
      std::regex::icase);
  static const std::regex jsonMember(
      R"re(("(?:password|secret|token|access_token|refresh_token|auth|client-key-data)"\s*:\s*")(?:[^"\\]|\\.)*")re",
      std::regex::icase);
  static const std::regex parameter(R"(((?:password|passwd|secret|token)=)[^&\s"]+)",
                                    std::regex::icase);
  static const std::regex userinfo(R"(((?:https?|ftp)://[^/\s:@]+:)[^/\s@]+@)", std::regex::icase);
  // libstdc++'s regex recurses per character; foreign text is bounded first.
  constexpr std::size_t kMaxText = 8 * 1024;
  std::string out(text.substr(0, kMaxText));
  if (text.size() > kMaxText) {
    out += "…[truncated]";
  }
  out = std::regex_replace(out, authorization, "$1[redacted]");
  out = std::regex_replace(out, jsonMember, "$1[redacted]\"");
  out = std::regex_replace(out, parameter, "$1[redacted]");
  out = std::regex_replace(out, userinfo, "$1[redacted]@");
  return out;
}

} // namespace harborrobot

#include "request_target.h"

#include <sstream>
#include <vector>

namespace harborrobot::kubesim {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::istringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (!part.empty())
      parts.push_back(part);
  }
  return parts;
}

// The part after /api/v1 or /apis/g/v: [namespaces/ns/]resource[/name[/sub]].
std::optional<RequestTarget> parseRest(RequestTarget target, const std::vector<std::string>& rest) {
  if (rest.empty())
    return std::nullopt;
  std::size_t at = 0;
  // namespaces/{ns}/{resource}... addresses namespaced objects; namespaces/{ns}
  // and namespaces/{ns}/status|finalize address the Namespace itself.
  if (rest[0] == "namespaces" && rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
    target.namespaceName = rest[1];
    at = 2;
  }
  const std::size_t remaining = rest.size() - at;
  if (remaining == 0 || remaining > 3)
    return std::nullopt;
  target.resource = rest[at];
  if (remaining >= 2)
    target.name = rest[at + 1];
  if (remaining == 3)
    target.subresource = rest[at + 2];
  return target;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string formDecode(const std::string& text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
               hexValue(text[i + 2]) >= 0) {
      decoded += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

} // namespace

std::optional<RequestTarget> parseResourcePath(const std::string& path) {
  const auto parts = splitPath(path);
  RequestTarget target;
  if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1") {
    target.version = "v1";
    return parseRest(target, {parts.begin() + 2, parts.end()});
  }
  if (parts.size() >= 4 && parts[0] == "apis") {
    target.group = parts[1];
    target.version = parts[2];
    return parseRest(target, {parts.begin() + 3, parts.end()});
  }
  return std::nullopt;
}

std::map<std::string, std::string> parseQuery(const std::string& rawQuery) {
  std::map<std::string, std::string> query;
  std::istringstream stream(rawQuery);
  for (std::string pair; std::getline(stream, pair, '&');) {
    if (pair.empty())
      continue;
    const auto equals = pair.find('=');
    std::string key = formDecode(pair.substr(0, equals));
    std::string value = equals == std::string::npos ? "" : formDecode(pair.substr(equals + 1));
    query.emplace(std::move(key), std::move(value));
  }
  return query;
}

bool queryFlag(const std::map<std::string, std::string>& query, const std::string& key) {
  const auto found = query.find(key);
  if (found == query.end())
    return false;
  const std::string& value = found->second;
  return value == "1" || value == "t" || value == "T" || value == "true" || value == "True" ||
         value == "TRUE";
}

} // namespace harborrobot::kubesim

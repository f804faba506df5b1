#include "robot_rules.h"

#include <algorithm>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

using PairTable = std::map<std::string, std::set<std::string>>;

const std::set<std::string> kCrudl = {"create", "read", "update", "delete", "list"};

PairTable projectPairs(const HarborVersion& version) {
  PairTable pairs = {
      {"log", {"list"}},
      {"project", {"read", "update", "delete"}},
      {"metadata", kCrudl},
      {"repository", {"read", "update", "delete", "list", "pull", "push"}},
      {"artifact", {"create", "read", "list", "delete"}},
      {"scan", {"create", "read", "stop"}},
      {"tag", {"create", "list", "delete"}},
      {"accessory", {"list"}},
      {"artifact-addition", {"read"}},
      {"artifact-label", {"create", "delete"}},
      {"scanner", {"create", "read"}},
      {"preheat-policy", kCrudl},
      {"immutable-tag", {"create", "update", "delete", "list"}},
      {"notification-policy", kCrudl},
      {"tag-retention", kCrudl},
      {"label", kCrudl},
  };
  // 2.11 added quota and sbom; 2.12 robot and member; 2.12.1 moved export-cve here.
  pairs["quota"] = {"read"};
  pairs["sbom"] = {"create", "read", "stop"};
  if (version.atLeast(12)) {
    pairs["robot"] = {"create", "read", "list", "delete"};
    pairs["member"] = kCrudl;
  }
  if (version.atLeast(12, 1))
    pairs["export-cve"] = {"create", "read"};
  return pairs;
}

PairTable systemPairs(const HarborVersion& version) {
  PairTable pairs = {
      {"audit-log", {"list"}},
      {"preheat-instance", kCrudl},
      {"project", {"list", "create"}},
      {"replication-policy", kCrudl},
      {"replication", {"read", "create", "list"}},
      {"replication-adapter", {"list"}},
      {"registry", kCrudl},
      {"scan-all", {"read", "create", "update", "stop"}},
      {"system-volumes", {"read"}},
      {"garbage-collection", {"read", "create", "list", "update", "stop"}},
      {"purge-audit", {"read", "create", "list", "update", "stop"}},
      {"jobservice-monitor", {"list", "stop"}},
      {"scanner", kCrudl},
      {"label", {"create", "read", "update", "delete"}},
      {"security-hub", {"read", "list"}},
      {"catalog", {"read"}},
      {"quota", {"read", "list"}},
  };
  if (version.atLeast(12)) {
    pairs["quota"].insert("update");
    pairs["robot"] = {"create", "read", "list", "delete"};
    pairs["user"] = kCrudl;
    pairs["ldap-user"] = {"create", "list"};
    pairs["user-group"] = kCrudl;
  }
  if (!version.atLeast(12, 1))
    pairs["export-cve"] = {"create", "read"};
  return pairs;
}

const std::regex& namePattern() {
  static const std::regex pattern("^[a-z0-9]+(?:[._-][a-z0-9]+)*$");
  return pattern;
}

// A JSON type mismatch in the body is a schema failure: 422, as go-swagger binds.
std::optional<HarborError> typeError(const json& body, const char* key, bool (json::*check)() const,
                                     const char* expected) {
  if (body.contains(key) && !body[key].is_null() && !(body[key].*check)()) {
    return unprocessable(
        fmt::format("{} in body must be of type {}: \"{}\"", key, expected, body[key].type_name()));
  }
  return std::nullopt;
}

} // namespace

bool validRobotPair(const HarborVersion& version, const std::string& kind,
                    const std::string& resource, const std::string& action) {
  const PairTable pairs = kind == "project" ? projectPairs(version) : systemPairs(version);
  const auto found = pairs.find(resource);
  return found != pairs.end() && found->second.contains(action);
}

HarborResult<RobotRequest> parseRobotRequest(const json& body, const HarborVersion& version,
                                             bool forUpdate) {
  if (!body.is_object())
    return tl::unexpected(unprocessable("the request body must be a JSON object"));
  for (auto [key, check, expected] : {std::tuple{"name", &json::is_string, "string"},
                                      std::tuple{"description", &json::is_string, "string"},
                                      std::tuple{"level", &json::is_string, "string"},
                                      std::tuple{"duration", &json::is_number_integer, "integer"},
                                      std::tuple{"disable", &json::is_boolean, "boolean"},
                                      std::tuple{"permissions", &json::is_array, "array"}}) {
    if (auto error = typeError(body, key, check, expected))
      return tl::unexpected(*error);
  }
  RobotRequest request;
  request.name = body.value("name", "");
  request.description = body.value("description", "");
  request.level = body.value("level", "");
  request.disable = body.value("disable", false);
  // 1. The name (before any authorization, as Harbor does). PUT carries the
  // prefixed name, which the caller compares; only POST checks the pattern.
  if (!forUpdate && !std::regex_match(request.name, namePattern())) {
    return tl::unexpected(badRequest(fmt::format(
        "robot name is not in lower case or contains illegal characters: {}", request.name)));
  }
  // 2. Duration: -1 (never expires) or 1..2147483646 days; omitted or 0 is
  // refused on create since 2.11, and kept as is on update.
  request.durationGiven = body.contains("duration") && !body["duration"].is_null();
  if (request.durationGiven)
    request.duration = body["duration"].get<std::int64_t>();
  if ((!forUpdate || request.durationGiven) &&
      !(request.duration == -1 || (request.duration >= 1 && request.duration <= 2147483646))) {
    return tl::unexpected(badRequest(fmt::format(
        "bad request error duration input: {}, duration must be -1 or a positive number of days",
        request.duration)));
  }
  // 3. Structure and the §4 pairs.
  if (request.level != "system" && request.level != "project")
    return tl::unexpected(badRequest("bad request error level input: " + request.level));
  const json permissions = body.value("permissions", json::array());
  if (permissions.empty())
    return tl::unexpected(badRequest("bad request empty permission"));
  if (request.level == "project" && permissions.size() > 1)
    return tl::unexpected(badRequest("bad request permission"));
  for (const auto& entry : permissions) {
    if (!entry.is_object())
      return tl::unexpected(unprocessable("permissions in body must be of type object"));
    RobotPermission permission;
    permission.kind = entry.value("kind", "");
    permission.ns = entry.value("namespace", "");
    if (permission.kind != "system" && permission.kind != "project")
      return tl::unexpected(badRequest("bad request permission kind: " + permission.kind));
    const json access = entry.value("access", json::array());
    if (!access.is_array() || access.empty())
      return tl::unexpected(badRequest("bad request empty access"));
    for (const auto& item : access) {
      if (!item.is_object() || !item.value("resource", json()).is_string() ||
          !item.value("action", json()).is_string())
        return tl::unexpected(unprocessable("access in body must be objects of strings"));
      RobotAccess pair{item["resource"], item["action"], item.value("effect", "")};
      if (!validRobotPair(version, permission.kind, pair.resource, pair.action)) {
        return tl::unexpected(
            badRequest(fmt::format("bad request permission: {}:{}", pair.resource, pair.action)));
      }
      permission.access.push_back(std::move(pair));
    }
    request.permissions.push_back(std::move(permission));
  }
  return request;
}

std::string generateRobotSecret(const std::function<unsigned char()>& randomByte) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  while (true) {
    std::string secret;
    while (secret.size() < 32) {
      const unsigned char byte = randomByte();
      // Rejection sampling keeps the distribution uniform over 62 symbols.
      if (byte < 248)
        secret += kAlphabet[byte % 62];
    }
    if (acceptableRobotSecret(secret))
      return secret;
  }
}

bool acceptableRobotSecret(const std::string& secret) {
  const auto has = [&](auto predicate) {
    return std::any_of(secret.begin(), secret.end(),
                       [&](char c) { return predicate(static_cast<unsigned char>(c)); });
  };
  return secret.size() >= 8 && secret.size() <= 128 && has(::islower) && has(::isupper) &&
         has(::isdigit);
}

bool withinCreatorScope(const HarborVersion& version, const std::string& creatorLevel,
                        const std::vector<RobotPermission>& creator, const std::string& wantedLevel,
                        const std::vector<RobotPermission>& wanted) {
  if (creatorLevel == "system" && wantedLevel == "project" && version.atLeast(12) &&
      !version.atLeast(14, 1))
    return false;
  for (const auto& permission : wanted) {
    const auto scope = std::find_if(creator.begin(), creator.end(), [&](const auto& held) {
      return held.kind == permission.kind &&
             (held.ns == permission.ns || (held.ns == "*" && version.atLeast(12, 1)));
    });
    if (scope == creator.end())
      return false;
    for (const auto& access : permission.access) {
      if (std::find(scope->access.begin(), scope->access.end(), access) == scope->access.end())
        return false;
    }
  }
  return true;
}

std::string urlDecode(const std::string& text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (text[i] == '+') {
      decoded += ' ';
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

namespace {

// q.parseValue: a time or an integer stays as written; any other string loses
// surrounding quotes.
std::string parseQueryValue(std::string value) {
  const auto first = value.find_first_not_of(" \t\n\r\v\f");
  if (first == std::string::npos)
    return "";
  value = value.substr(first, value.find_last_not_of(" \t\n\r\v\f") - first + 1);
  static const std::regex integer("^[+-]?[0-9]+$");
  static const std::regex time("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$");
  if (std::regex_match(value, integer) || std::regex_match(value, time))
    return value;
  const auto begin = value.find_first_not_of("\"'");
  if (begin == std::string::npos)
    return "";
  return value.substr(begin, value.find_last_not_of("\"'") - begin + 1);
}

} // namespace

HarborResult<std::vector<QueryTerm>> parseRobotQuery(const std::string& q) {
  // src/lib/q/builder.go parseKeywords: comma-separated k=v, each split at the
  // first '='; an empty key or value is refused, and so is a malformed pattern.
  std::vector<QueryTerm> terms;
  if (q.empty())
    return terms;
  std::size_t start = 0;
  while (start <= q.size()) {
    const auto comma = q.find(',', start);
    const std::string part =
        q.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? q.size() + 1 : comma + 1;
    const auto equals = part.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == part.size())
      return tl::unexpected(
          badRequest("the query string must contain \"=\" and the key/value cannot be empty"));
    QueryTerm term;
    term.key = part.substr(0, equals);
    const std::string value = part.substr(equals + 1);
    const auto invalid = [&] {
      return tl::unexpected(badRequest(fmt::format("invalid query string value: {}", value)));
    };
    // q.parseList: space-separated values, empty ones skipped.
    const auto list = [](const std::string& inner) {
      std::vector<std::string> values;
      std::size_t at = 0;
      while (at <= inner.size()) {
        const auto space = inner.find(' ', at);
        std::string item =
            parseQueryValue(inner.substr(at, space == std::string::npos ? space : space - at));
        if (!item.empty())
          values.push_back(std::move(item));
        at = space == std::string::npos ? inner.size() + 1 : space + 1;
      }
      return values;
    };
    switch (value.front()) { // q.parsePattern
    case '~':
      if (value.size() < 2)
        return invalid();
      term.match = QueryTerm::Match::kFuzzy;
      term.values = {value.substr(1)};
      break;
    case '[': {
      if (value.back() != ']' || std::count(value.begin(), value.end(), '~') != 1)
        return invalid();
      const auto tilde = value.find('~');
      std::string min = parseQueryValue(value.substr(1, tilde - 1));
      std::string max = parseQueryValue(value.substr(tilde + 1, value.size() - tilde - 2));
      if (min.empty() && max.empty())
        return invalid();
      term.match = QueryTerm::Match::kRange;
      term.values = {std::move(min), std::move(max)};
      break;
    }
    case '{':
      if (value.back() != '}')
        return invalid();
      term.match = QueryTerm::Match::kAnyOf;
      term.values = list(value.substr(1, value.size() - 2));
      break;
    case '(':
      if (value.back() != ')')
        return invalid();
      term.match = QueryTerm::Match::kAllOf;
      term.values = list(value.substr(1, value.size() - 2));
      break;
    default:
      // q.escapeValue: a leading backslash escapes the pattern characters.
      term.values = {value.front() == '\\' ? value.substr(1) : value};
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

} // namespace harborrobot::harborsim

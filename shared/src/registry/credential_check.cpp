// The token-service check of a robot credential; see credential_check.h.
#include "harborrobot/registry/credential_check.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/percent_encode.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::registry {

namespace {

// A repository no one pushes to: Harbor grants by project, so it need not exist,
// and asking about it changes nothing.
constexpr std::string_view kProbeRepository = "harborrobot-verify";

Result<nlohmann::json> jwtClaims(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return makeError(ErrorCode::kUnavailable, "registry token service: the token is not a JWT");
  }
  // base64url without padding (RFC 7515 §2) into the standard alphabet.
  std::string text(token.substr(first + 1, second - first - 1));
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) {
    text += '=';
  }
  auto bytes = base64Decode(text);
  if (!bytes) {
    return makeError(ErrorCode::kUnavailable,
                     "registry token service: the token's claims are not base64url");
  }
  auto claims = nlohmann::json::parse(*bytes, nullptr, false);
  if (!claims.is_object()) {
    return makeError(ErrorCode::kUnavailable,
                     "registry token service: the token's claims are not a JSON object");
  }
  return claims;
}

void addUnique(std::vector<std::string>& out, std::string_view action) {
  if (std::find(out.begin(), out.end(), action) == out.end()) {
    out.emplace_back(action);
  }
}

} // namespace

std::vector<std::string> tokenVisibleActions(const std::vector<RobotAccess>& access) {
  std::vector<std::string> actions;
  for (const auto& item : access) {
    if (item.resource != "repository") {
      continue;
    }
    if (item.action == "pull" || item.action == "delete") {
      addUnique(actions, item.action);
    } else if (item.action == "push") {
      // Project robots holding push also get pull (src/common/rbac/project/
      // rbac_role.go; NOTES §1 "Robots").
      addUnique(actions, "push");
      addUnique(actions, "pull");
    }
  }
  std::sort(actions.begin(), actions.end());
  return actions;
}

Result<TokenGrant> readTokenGrant(std::string_view tokenResponse, std::string_view repository) {
  const auto body = nlohmann::json::parse(tokenResponse, nullptr, false);
  // Harbor fills "token"; the distribution spec also allows "access_token".
  std::string token = stringField(body, "token");
  if (token.empty()) {
    token = stringField(body, "access_token");
  }
  if (token.empty()) {
    return makeError(ErrorCode::kUnavailable,
                     "registry token service: the answer has no token (expected "
                     "{\"token\":\"<JWT>\",…})");
  }
  auto claims = jwtClaims(token);
  if (!claims) {
    return makeError(claims.error());
  }
  TokenGrant grant;
  grant.subject = stringField(*claims, "sub");
  const auto access = claims->find("access");
  if (access == claims->end() || !access->is_array()) {
    return grant;
  }
  for (const auto& entry : *access) {
    if (stringField(entry, "type") != "repository" || stringField(entry, "name") != repository) {
      continue;
    }
    const auto actions = entry.find("actions");
    if (actions == entry.end() || !actions->is_array()) {
      continue;
    }
    for (const auto& action : *actions) {
      if (action.is_string()) {
        addUnique(grant.actions, action.get<std::string>());
      }
    }
  }
  return grant;
}

Result<CredentialCheck> checkCredential(http::Client& client, const CredentialCheckInput& input) {
  std::string base = input.registryUrl;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  const std::string repository = fmt::format("{}/{}", input.project, kProbeRepository);
  // Harbor ignores the actions asked for and grants all it holds
  // (src/core/service/token/creator.go); pull,push,delete is what docker asks.
  http::Request request;
  request.url =
      fmt::format("{}/service/token?service=harbor-registry&scope={}", base,
                  http::percentEncode(fmt::format("repository:{}:pull,push,delete", repository)));
  request.basicAuth = http::BasicAuth{input.username, input.secret};
  request.timeout = std::chrono::seconds(15);
  auto answer = client.send(request);
  if (!answer) {
    return makeError(answer.error().withContext("asking Harbor's token service"));
  }
  CredentialCheck check;
  if (answer->status == 401) {
    check.verdict = CredentialVerdict::kRefused;
    check.detail = fmt::format("Harbor's token service refused {}", input.username);
    return check;
  }
  if (answer->status != 200) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("Harbor's token service answered HTTP {}", answer->status));
  }
  auto grant = readTokenGrant(answer->body, repository);
  if (!grant) {
    return makeError(grant.error());
  }
  check.granted = grant->actions;
  if (grant->subject != input.username) {
    check.verdict = CredentialVerdict::kAnonymous;
    check.detail = fmt::format("Harbor does not accept {}: its token service answered as to an "
                               "anonymous caller (the robot is deleted, disabled or expired, or "
                               "the secret is wrong)",
                               input.username);
    return check;
  }
  std::vector<std::string> missing;
  for (const auto& action : input.wantedActions) {
    if (std::find(grant->actions.begin(), grant->actions.end(), action) == grant->actions.end() &&
        std::find(grant->actions.begin(), grant->actions.end(), "*") == grant->actions.end()) {
      missing.push_back(action);
    }
  }
  if (!missing.empty()) {
    check.verdict = CredentialVerdict::kMissingAction;
    check.detail =
        fmt::format("Harbor accepts {} but its token grants [{}] on {}, not {}", input.username,
                    fmt::join(grant->actions, ","), input.project, fmt::join(missing, ","));
    return check;
  }
  check.verdict = CredentialVerdict::kAccepted;
  check.detail = fmt::format("Harbor accepts {}; its token grants [{}] on {}", input.username,
                             fmt::join(grant->actions, ","), input.project);
  return check;
}

} // namespace harborrobot::registry

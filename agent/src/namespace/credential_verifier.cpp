// GET /service/token with the robot's basic auth, as docker and the kubelet's
// runtime do before a pull, then a look at what the token grants.
#include "credential_verifier.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/percent_encode.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::ns {

namespace {

// A repository name no one pushes to: asking for it changes nothing in Harbor.
constexpr std::string_view kProbeRepository = "harborrobot-verify";

Result<nlohmann::json> jwtPayload(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument, "the token service's token is not a JWT");
  }
  std::string text(token.substr(first + 1, second - first - 1));
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) {
    text += '=';
  }
  auto bytes = base64Decode(text);
  if (!bytes) {
    return makeError(ErrorCode::kInvalidArgument, "the token's payload is not base64url");
  }
  auto payload = nlohmann::json::parse(*bytes, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return makeError(ErrorCode::kInvalidArgument, "the token's payload is not a JSON object");
  }
  return payload;
}

} // namespace

Result<std::vector<std::string>> grantedActions(std::string_view token,
                                                std::string_view repository) {
  auto payload = jwtPayload(token);
  if (!payload) {
    return makeError(payload.error());
  }
  std::vector<std::string> actions;
  for (const auto& entry : payload->value("access", nlohmann::json::array())) {
    if (stringField(entry, "type") != "repository" || stringField(entry, "name") != repository) {
      continue;
    }
    for (const auto& action : entry.value("actions", nlohmann::json::array())) {
      if (action.is_string()) {
        actions.push_back(action.get<std::string>());
      }
    }
  }
  return actions;
}

CredentialVerifier::CredentialVerifier() : http_(http::ClientOptions{}) {}

Status CredentialVerifier::verify(const RegistryCredential& credential, const std::string& project,
                                  const std::vector<RobotAccess>& access) {
  std::vector<std::string> wanted;
  for (const auto& item : access) {
    if (item.resource == "repository" &&
        std::find(wanted.begin(), wanted.end(), item.action) == wanted.end()) {
      wanted.push_back(item.action);
    }
  }
  const std::string repository = fmt::format("{}/{}", project, kProbeRepository);
  const std::string scope =
      fmt::format("repository:{}:{}", repository,
                  wanted.empty() ? "pull" : fmt::format("{}", fmt::join(wanted, ",")));
  http::Request request;
  request.url = fmt::format("{}/service/token?service=harbor-registry&scope={}",
                            credential.registry, http::percentEncode(scope));
  request.basicAuth = http::BasicAuth{credential.username, credential.password};
  request.timeout = std::chrono::seconds(15);
  auto answer = http_.send(request);
  if (!answer) {
    return makeError(answer.error().withContext("asking Harbor's token service"));
  }
  if (answer->status == 401 || answer->status == 403) {
    return makeError(
        ErrorCode::kUnauthenticated,
        fmt::format("Harbor's token service refused {} ({})", credential.username, answer->status));
  }
  if (answer->status != 200) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("Harbor's token service answered {}", answer->status));
  }
  auto body = nlohmann::json::parse(answer->body, nullptr, false);
  std::string token = stringField(body, "token");
  if (token.empty()) {
    token = stringField(body, "access_token");
  }
  auto granted = grantedActions(token, repository);
  if (!granted) {
    return makeError(granted.error().withContext("reading the token service's answer"));
  }
  for (const auto& action : wanted) {
    const bool has = std::find(granted->begin(), granted->end(), action) != granted->end() ||
                     std::find(granted->begin(), granted->end(), "*") != granted->end();
    if (!has) {
      return makeError(ErrorCode::kPermissionDenied,
                       fmt::format("Harbor grants {} only [{}] on {}, not {}", credential.username,
                                   fmt::join(*granted, ","), repository, action));
    }
  }
  return ok();
}

} // namespace harborrobot::agent::ns

// JWT payload decoding (base64url, no padding) and the access claim.
#include "registry_token.h"
#include "harborrobot/util/json_text.h"

#include <sstream>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace harborrobot::plugins::harbor {

namespace {

Result<std::string> base64UrlDecode(std::string_view text) {
  std::istringstream in{std::string(text)};
  Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  std::string out;
  try {
    out.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return makeError(ErrorCode::kInvalidArgument, "token payload is not base64url");
  }
  return out;
}

} // namespace

Result<GrantedAccess> readGrantedAccess(std::string_view tokenResponse,
                                        std::string_view repository) {
  const auto body = nlohmann::json::parse(tokenResponse, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    return makeError(ErrorCode::kUnavailable,
                     "registry token service: the response has no \"token\" (expected "
                     "{\"token\":\"<JWT>\",…})");
  }
  const std::string token = body["token"];
  const auto firstDot = token.find('.');
  const auto secondDot = token.find('.', firstDot + 1);
  if (firstDot == std::string::npos || secondDot == std::string::npos) {
    return makeError(ErrorCode::kUnavailable, "registry token service: the token is not a JWT");
  }
  auto payload =
      base64UrlDecode(std::string_view(token).substr(firstDot + 1, secondDot - firstDot - 1));
  if (!payload) {
    return makeError(payload.error().withContext("registry token service"));
  }
  const auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object()) {
    return makeError(ErrorCode::kUnavailable,
                     "registry token service: the token's claims are not JSON");
  }
  GrantedAccess granted;
  granted.subject = stringField(claims, "sub");
  if (claims.contains("access") && claims["access"].is_array()) {
    for (const auto& access : claims["access"]) {
      if (access.is_object() && stringField(access, "type") == "repository" &&
          stringField(access, "name") == repository && access.contains("actions") &&
          access["actions"].is_array()) {
        for (const auto& action : access["actions"]) {
          if (action.is_string()) {
            granted.actions.push_back(action.get<std::string>());
          }
        }
      }
    }
  }
  return granted;
}

} // namespace harborrobot::plugins::harbor

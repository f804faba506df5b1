// A token as Harbor's registry token service issues it (claims per
// src/core/service/token/creator.go; NOTES §6), unsigned: the tests of code that
// reads a token's `sub` and `access` need its shape, not its signature.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <Poco/Base64Encoder.h>
#include <nlohmann/json.hpp>

namespace harborrobot::testing {

inline std::string base64Url(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << text;
  encoder.close();
  return out.str();
}

// A JWT for `subject` granting `actions` on `repository`.
inline std::string harborJwt(const std::string& subject, const std::vector<std::string>& actions,
                             const std::string& repository = "team/harborrobot-verify") {
  const nlohmann::json claims = {
      {"iss", "harbor-token-issuer"},
      {"sub", subject},
      {"aud", "harbor-registry"},
      {"access", nlohmann::json::array(
                     {{{"type", "repository"}, {"name", repository}, {"actions", actions}}})}};
  return base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64Url(claims.dump()) + ".sig";
}

} // namespace harborrobot::testing

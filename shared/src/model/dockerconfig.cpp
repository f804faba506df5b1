// .dockerconfigjson building and parsing.
#include "harborrobot/model/dockerconfig.h"
#include "harborrobot/util/json_text.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harborrobot/util/base64.h"

namespace harborrobot {

SecretString buildDockerConfigJson(const RegistryCredential& credential) {
  const std::string password(credential.password.reveal());
  // nlohmann::json objects are std::maps: keys come out sorted, as Go writes them.
  const nlohmann::json config = {{"auths",
                                  {{credential.registry,
                                    {{"auth", base64Encode(credential.username + ":" + password)},
                                     {"password", password},
                                     {"username", credential.username}}}}}};
  return SecretString(jsonText(config));
}

Result<RegistryCredential> parseDockerConfigJson(std::string_view json, std::string_view registry) {
  const auto config = nlohmann::json::parse(json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return makeError(fieldErrorWithoutValue(".dockerconfigjson", "is not a JSON object",
                                            R"({"auths":{"<registry>":{…}}})"));
  }
  if (!config.contains("auths") || !config["auths"].is_object()) {
    return makeError(fieldErrorWithoutValue(".dockerconfigjson.auths", "is missing",
                                            "an object keyed by registry URL"));
  }
  const std::string key(registry);
  if (!config["auths"].contains(key)) {
    return makeError(fieldError(".dockerconfigjson.auths", key, "has no entry for registry",
                                "an entry keyed by the binding's Harbor URL"));
  }
  const auto& entry = config["auths"][key];
  const std::string path = fmt::format(".dockerconfigjson.auths[{}]", key);
  if (!entry.is_object() || !entry.contains("username") || !entry["username"].is_string() ||
      !entry.contains("password") || !entry["password"].is_string()) {
    return makeError(fieldErrorWithoutValue(path, "lacks username or password",
                                            "username, password and auth strings"));
  }
  RegistryCredential credential{key, entry["username"], SecretString(entry["password"])};
  if (entry.contains("auth")) {
    const auto auth =
        entry["auth"].is_string()
            ? base64Decode(entry["auth"].get<std::string>())
            : Result<std::string>(makeError(ErrorCode::kInvalidArgument, "not a string"));
    const std::string expected =
        credential.username + ":" + std::string(credential.password.reveal());
    if (!auth || *auth != expected) {
      return makeError(fieldErrorWithoutValue(path + ".auth",
                                              "does not match username and password",
                                              "base64 of <username>:<password>"));
    }
  }
  return credential;
}

} // namespace harborrobot

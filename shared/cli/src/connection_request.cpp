#include "harborrobot/cli/connection_request.h"

#include <utility>

#include "harborrobot/model/connection.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::cli {

// The Secret is server-side applied with `data` (base64), not `stringData`:
// the apiserver folds stringData into data after field management, so an
// applier of stringData owns only stringData.* and a key it later leaves out
// (an alias, a CA) would stay in data for ever (NOTES §10; kubernetes#123843).
// Owning data.* makes a later `connect` without --alias remove the alias keys.
Result<nlohmann::json> buildConnectionSecret(const ConnectionRequest& flags, const std::string& ns,
                                             const std::string& password,
                                             const std::string& caPem) {
  nlohmann::json data = {{"url", base64Encode(flags.url)},
                         {"username", base64Encode(flags.username)},
                         {"password", base64Encode(password)}};
  for (const auto& [key, value] :
       {std::pair{"url.alias", &flags.alias}, std::pair{"url.alias.policy", &flags.aliasPolicy},
        std::pair{"url.alias.ips", &flags.aliasIps},
        std::pair{"url.alias.check.interval", &flags.aliasCheckInterval}}) {
    if (!value->empty()) {
      data[key] = base64Encode(*value);
    }
  }
  if (!caPem.empty()) {
    data["ca.crt"] = base64Encode(caPem);
  }
  nlohmann::json metadata = {
      {"name", flags.name}, {"namespace", ns}, {"labels", {{kConnectionLabel, "true"}}}};
  if (!flags.projectFieldsPath.empty()) {
    metadata["annotations"] = {{kProjectFieldsPathAnnotation, flags.projectFieldsPath}};
  }
  nlohmann::json secret = {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", metadata},
                           {"type", "kubernetes.io/opaque"},
                           {"data", data}};
  auto parsed = parseConnectionSecret(secret);
  if (!parsed) {
    return makeError(parsed.error());
  }
  return secret;
}

} // namespace harborrobot::cli

// The generated Secret's .dockerconfigjson, byte for byte as the Generator's documentation shows
// it:
// {"auths":{"<url>":{"auth":"<base64 user:pass>","password":"…","username":"…"}}}
#pragma once

#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot {

struct RegistryCredential {
  std::string registry{}; // the auths key, e.g. https://harbor.example.com
  std::string username{}; // robot$team+…
  SecretString password{};
};

// Compact JSON with keys in Go's encoding/json order (sorted), as the Generator's documentation
// shows. Returned as a SecretString: it contains the password.
SecretString buildDockerConfigJson(const RegistryCredential& credential);

// Reads the credential for `registry` back; checks that "auth" agrees with
// username and password. Errors never include the password or auth value.
[[nodiscard]] Result<RegistryCredential> parseDockerConfigJson(std::string_view json,
                                                               std::string_view registry);

} // namespace harborrobot

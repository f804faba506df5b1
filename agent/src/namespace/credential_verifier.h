// Asks Harbor's token service, from this agent's own network view, whether a
// credential works: a new one before it replaces the Secret (so a credential
// Harbor refuses never reaches a pull), the one in place periodically (so a robot
// deleted in Harbor is noticed and replaced before a pull fails).
#pragma once

#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/curl_client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/model/dockerconfig.h"

namespace harborrobot::agent::ns {

class CredentialVerifier {
public:
  CredentialVerifier();

  // OK when the token service grants every repository action of `access` on a
  // repository of `project`. kUnauthenticated when Harbor refuses the robot
  // (deleted, expired, wrong secret): the caller rotates; other errors
  // (unreachable, 5xx) say nothing about the credential.
  [[nodiscard]] Status verify(const RegistryCredential& credential, const std::string& project,
                              const std::vector<RobotAccess>& access);

private:
  http::CurlClient http_;
};

// The repository actions a token grants, read from the JWT's access claim.
[[nodiscard]] Result<std::vector<std::string>> grantedActions(std::string_view token,
                                                              std::string_view repository);

} // namespace harborrobot::agent::ns

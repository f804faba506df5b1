// Asks Harbor's token service, from this agent's own network view, whether a
// credential works: a new one before it replaces the Secret (so a credential
// Harbor refuses never reaches a pull), the one in place periodically (so a robot
// deleted in Harbor is noticed and replaced before a pull fails). The check
// itself is the core's registry::checkCredential; this holds the HTTP clients,
// one per registry CA the hub passes on from the connection.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/model/dockerconfig.h"

namespace harborrobot::agent::namespace_role {

class CredentialVerifier {
public:
  // OK when Harbor names the robot in the token and grants every action of
  // `access` a token can show. kUnauthenticated when Harbor does not accept the
  // robot (deleted, disabled, expired, wrong secret), kPermissionDenied when it
  // lacks an action: the caller rotates. Other errors (unreachable, TLS, 5xx)
  // say nothing about the credential; their message says why the check could
  // not run.
  [[nodiscard]] Status verify(const RegistryCredential& credential, const std::string& project,
                              const std::vector<RobotAccess>& access, const std::string& caPem);

private:
  http::Client& clientFor(const std::string& caPem);
  std::map<std::string, std::unique_ptr<http::HttpsClient>> clients_; // by CA PEM ("": system)
};

} // namespace harborrobot::agent::namespace_role

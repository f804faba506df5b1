// Asks Harbor's token service, from this agent's own network view, whether a
// credential works: a new one before it replaces the Secret (so a credential
// Harbor refuses never reaches a pull), the one in place periodically (so a robot
// deleted in Harbor is noticed and replaced before a pull fails). The check
// itself is registry::checkCredential; this keeps one HTTP client per registry
// CA the hub passes on from the connection, and turns verdicts into Status.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/model/dockerconfig.h"
#include "harborrobot/registry/credential_check.h"

namespace harborrobot::namespaceagent {

class CredentialVerifier {
public:
  // Makes the client for a CA PEM ("": the system's roots); by default HTTPS.
  using ClientFactory = std::function<std::unique_ptr<http::Client>(const std::string& caPem)>;
  explicit CredentialVerifier(ClientFactory makeClient = {});

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
  ClientFactory makeClient_;
  std::map<std::string, std::unique_ptr<http::Client>> clients_; // by CA PEM ("": system)
};

// A check's result as verify() answers it (see there).
[[nodiscard]] Status credentialCheckStatus(const Result<registry::CredentialCheck>& check);

} // namespace harborrobot::namespaceagent

// The agent's use of the core credential check: errors by verdict, clients by CA.
#include "credential_verifier.h"

#include "harborrobot/registry/credential_check.h"

namespace harborrobot::agent::namespace_role {

http::Client& CredentialVerifier::clientFor(const std::string& caPem) {
  auto& client = clients_[caPem];
  if (!client) {
    http::ClientOptions options;
    options.tls.caPem = caPem;
    client = std::make_unique<http::HttpsClient>(std::move(options));
  }
  return *client;
}

Status CredentialVerifier::verify(const RegistryCredential& credential, const std::string& project,
                                  const std::vector<RobotAccess>& access,
                                  const std::string& caPem) {
  auto check = registry::checkCredential(
      clientFor(caPem), {credential.registry, project, credential.username, credential.password,
                         registry::tokenVisibleActions(access)});
  if (!check) {
    return makeError(check.error().withContext("the credential could not be checked"));
  }
  switch (check->verdict) {
  case registry::CredentialVerdict::kAccepted:
    return ok();
  case registry::CredentialVerdict::kMissingAction:
    return makeError(ErrorCode::kPermissionDenied, check->detail);
  case registry::CredentialVerdict::kRefused:
  case registry::CredentialVerdict::kAnonymous:
    break;
  }
  return makeError(ErrorCode::kUnauthenticated, check->detail);
}

} // namespace harborrobot::agent::namespace_role

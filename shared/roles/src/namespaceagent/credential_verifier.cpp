// The agent's use of the core credential check: errors by verdict, clients by CA.
#include "harborrobot/namespaceagent/credential_verifier.h"

#include "harborrobot/http/https_client.h"

namespace harborrobot::namespaceagent {

CredentialVerifier::CredentialVerifier(ClientFactory makeClient)
    : makeClient_(makeClient ? std::move(makeClient)
                             : [](const std::string& caPem) -> std::unique_ptr<http::Client> {
        http::ClientOptions options;
        options.tls.caPem = caPem;
        return std::make_unique<http::HttpsClient>(std::move(options));
      }) {}

http::Client& CredentialVerifier::clientFor(const std::string& caPem) {
  auto& client = clients_[caPem];
  if (!client) {
    client = makeClient_(caPem);
  }
  return *client;
}

Status credentialCheckStatus(const Result<registry::CredentialCheck>& check) {
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

Status CredentialVerifier::verify(const RegistryCredential& credential, const std::string& project,
                                  const std::vector<RobotAccess>& access,
                                  const std::string& caPem) {
  return credentialCheckStatus(registry::checkCredential(
      clientFor(caPem), {credential.registry, project, credential.username, credential.password,
                         registry::tokenVisibleActions(access)}));
}

} // namespace harborrobot::namespaceagent

// The one check of a robot credential, as a puller would use it: Harbor's
// registry token service (/service/token) asked with the robot's Basic
// credentials, and the JWT it returns read. The hub's provider, each namespace
// agent and `kubectl harborrobot doctor --local` all call this; none needs
// administrator rights.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::registry {

// The token actions a binding's access can ever show: Harbor's token service
// grants only pull, push, delete and scanner-pull (src/core/service/token/
// creator.go, actionScopeMap), mapped from repository:pull, repository:push
// (which brings pull for project robots) and repository:delete. Every other
// permission (repository:read, list, update, artifact:…) exists in the API but
// never in a token, so it is not asked of one. Sorted, without duplicates.
std::vector<std::string> tokenVisibleActions(const std::vector<RobotAccess>& access);

// The claims of a token the service returned that matter here.
struct TokenGrant {
  std::string subject;              // "sub": the robot's full name; "" for anonymous
  std::vector<std::string> actions; // granted on the repository asked about
};

// Reads the body of /service/token ({"token":"<JWT>",…}); the signature is not
// checked: the token comes over TLS from the server that was asked.
[[nodiscard]] Result<TokenGrant> readTokenGrant(std::string_view tokenResponse,
                                                std::string_view repository);

struct CredentialCheckInput {
  std::string registryUrl; // https://harbor.example.com
  std::string project;
  std::string username; // robot$project+name, as the Secret carries it
  SecretString secret;
  std::vector<std::string> wantedActions; // tokenVisibleActions of the binding
};

enum class CredentialVerdict {
  kAccepted,      // the token names the robot and grants every wanted action
  kRefused,       // 401: no credentials Harbor accepts (never seen with a scope)
  kAnonymous,     // a token for "" came back: deleted, disabled, expired or a wrong secret
  kMissingAction, // the robot is alive but the token lacks a wanted action
};

struct CredentialCheck {
  CredentialVerdict verdict = CredentialVerdict::kRefused;
  std::vector<std::string> granted;
  std::string detail; // for status, logs and doctor; never the secret
  bool accepted() const { return verdict == CredentialVerdict::kAccepted; }
};

// Asks the token service. A 200 alone proves nothing (Harbor answers a bad
// credential with an anonymous token, src/core/service/token/creator.go
// generalCreator.Create, and on a public project that token even carries pull):
// the token's `sub` must be `username` and its access must hold every wanted
// action. Errors are only for checks that could not run (transport, TLS, 5xx,
// an answer that is not a token); they say nothing about the credential.
[[nodiscard]] Result<CredentialCheck> checkCredential(http::Client& client,
                                                      const CredentialCheckInput& input);

} // namespace harborrobot::registry

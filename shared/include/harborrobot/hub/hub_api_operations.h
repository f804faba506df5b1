// What the hub API asks of the hub, and who may ask: the operations behind its
// four routes (CredentialService implements them) and the review of a caller's
// token (TokenReviewer). Interfaces, so the request handling is tested with fakes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::hub {

class HubApiOperations {
public:
  virtual ~HubApiOperations();
  // The bindings serving `ns`, sorted by name, as its agent is told them.
  [[nodiscard]] virtual Result<std::vector<reconcile::AgentBinding>>
  bindingsFor(std::string_view ns) = 0;
  // A robot for (binding, ns) at the requested generation.
  [[nodiscard]] virtual Result<reconcile::IssuedCredential>
  issue(std::string_view ns, std::string_view binding,
        const reconcile::CredentialRequest& request) = 0;
  // The agent of `ns` holds `activation.generation` now.
  [[nodiscard]] virtual Status activate(std::string_view ns, std::string_view binding,
                                        const reconcile::Activation& activation) = 0;
  // The agent's state, into its namespace's records.
  [[nodiscard]] virtual Status report(std::string_view ns,
                                      const reconcile::AgentReport& report) = 0;
};

// Who is calling: a ServiceAccount, by its user name and the two parts of it.
struct Caller {
  std::string username{};       // system:serviceaccount:<ns>:<name>
  std::string ns{};             // the ServiceAccount's namespace
  std::string serviceAccount{}; // its name

  bool operator==(const Caller& other) const = default;
};

class CallerReview {
public:
  virtual ~CallerReview();
  // kUnauthenticated for a bad token; kUnavailable when the review could not be made.
  [[nodiscard]] virtual Result<Caller> review(const SecretString& token) = 0;
};

} // namespace harborrobot::hub

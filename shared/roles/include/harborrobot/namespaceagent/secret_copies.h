// The Secrets a namespace agent writes for one binding, built from what it has
// in hand: the hub's new credential, the main Secret in place (for its alias
// copy), and the summary of a Secret its report to the hub carries.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "harborrobot/namespaceagent/agent_report.h"
#include "harborrobot/namespaceagent/generated_secret.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::namespaceagent {

// The robot a Secret of ours names (our robot annotation), "" when none.
std::string robotNameIn(const nlohmann::json& secret);

// The binding's main Secret holding the credential the hub issued for
// `generation`, rotated at `now`.
GeneratedSecret issuedSecret(const reconcile::AgentBinding& binding,
                             const reconcile::IssuedCredential& issued, std::int64_t generation,
                             TimePoint now);

// The alias copy of a main Secret being written: the same credential under the
// alias registry's name, in the alias Secret. The binding must have an alias.
GeneratedSecret aliasOf(const reconcile::AgentBinding& binding, GeneratedSecret main);

// The alias copy of the main Secret in place (`main`, ours, holding
// `credential`): its generation, spec hash, robot and rotation time (`now` when
// it has none). The binding must have an alias.
GeneratedSecret aliasOfSecretInPlace(const reconcile::AgentBinding& binding,
                                     const nlohmann::json& main,
                                     const RegistryCredential& credential, TimePoint now);

// What the report says of the binding's Secret `secret`.
SecretSummary secretSummary(const nlohmann::json& secret, const reconcile::AgentBinding& binding);

} // namespace harborrobot::namespaceagent

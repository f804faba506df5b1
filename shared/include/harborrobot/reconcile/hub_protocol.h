// The hub API's messages, shared by the hub (server) and the namespace agents
// (clients). JSON over HTTPS; every parser names the field, the value and what
// was expected, so a version skew between hub and agent reads as a clear error.
//
// The routes that carry each message are in hub_routes.h.
//
// The caller's namespace comes from its ServiceAccount token (TokenReview), and
// must equal {ns}.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::reconcile {

using TimePoint = std::chrono::system_clock::time_point;

// The hub's nudge to an agent: the ConfigMap wire::kAgentSignalName in the
// agent's namespace, whose annotation changes whenever what the hub API tells
// that agent does. Agents watch it instead of the bindings.
inline constexpr std::string_view kAgentSignalAnnotation = "harborrobot.io/bindings-fingerprint";

struct AliasSettings {
  std::string url{};
  std::string policy = "IfIPEqual";
  std::vector<std::string> ips{};
  std::chrono::nanoseconds checkInterval{std::chrono::minutes(1)};
  bool operator==(const AliasSettings&) const = default;
};

// One binding as an agent needs it: no admin credential, only what the agent
// writes and checks.
struct AgentBinding {
  std::string name{};
  std::string uid{};
  std::int64_t generation = 0; // metadata.generation: a spec change
  std::string secretName{};
  std::string serviceAccountName{};
  std::string registryUrl{};            // the connection's url: the Secret's auths key
  std::string registryCaPem{};          // the connection's ca.crt ("": the system's CAs)
  std::optional<AliasSettings> alias{}; // the connection's url.alias settings
  std::string project{};
  std::vector<RobotAccess> access{};
  std::chrono::nanoseconds refreshInterval{std::chrono::hours(6)};
  std::string specHash{}; // changes whenever a new credential is needed
  // The generation the hub has recorded as active for this namespace (0: none),
  // so a restarted agent continues the sequence.
  std::int64_t activeGeneration = 0;
  std::optional<TimePoint> rotateRequestedAt{}; // `kubectl harborrobot rotate`
  // The binding's spec is invalid: this is its last valid spec (or, when none
  // is known, only its name and UID). The agent keeps the Secrets and
  // ServiceAccount entries it has for the binding as they are and rotates
  // nothing, until the spec is fixed; a frozen binding never removes anything.
  bool frozen = false;
  bool operator==(const AgentBinding&) const = default;
};

struct CredentialRequest {
  std::string rotationId{}; // idempotency key: a retry gets the same credential
  std::int64_t generation = 0;
};

struct IssuedCredential {
  std::string username{};
  SecretString secret{};
  std::int64_t generation = 0;
  std::string robotName{}; // the short name (without robot$project+)
  std::optional<TimePoint> expiresAt{};
};

struct Activation {
  std::int64_t generation = 0;
  std::string rotationId{};
};

// What an agent reports per binding.
struct NamespaceReport {
  std::string binding{};
  bool ready = false;
  std::int64_t generation = 0;
  std::string robotName{};
  std::optional<TimePoint> lastRefreshTime{};
  std::optional<TimePoint> nextRefreshTime{};
  bool aliasActive = false;
  std::optional<TimePoint> credentialVerifiedAt{};
  std::string reason{};    // CamelCase, when not ready
  std::string lastError{}; // never a secret
};

struct AgentReport {
  std::string agentVersion{};
  std::vector<NamespaceReport> bindings{};
};

nlohmann::json toJson(const AgentBinding& binding);
nlohmann::json toJson(const std::vector<AgentBinding>& bindings); // {"items": […]}
nlohmann::json toJson(const CredentialRequest& request);
nlohmann::json toJson(const IssuedCredential& credential); // carries the secret: wire only
nlohmann::json toJson(const Activation& activation);
nlohmann::json toJson(const NamespaceReport& report);
nlohmann::json toJson(const AgentReport& report);

[[nodiscard]] Result<AgentBinding> parseAgentBinding(const nlohmann::json& json,
                                                     std::string_view path);
[[nodiscard]] Result<std::vector<AgentBinding>> parseBindingList(const nlohmann::json& json);
[[nodiscard]] Result<CredentialRequest> parseCredentialRequest(const nlohmann::json& json);
[[nodiscard]] Result<IssuedCredential> parseIssuedCredential(const nlohmann::json& json);
[[nodiscard]] Result<Activation> parseActivation(const nlohmann::json& json);
[[nodiscard]] Result<NamespaceReport> parseNamespaceReport(const nlohmann::json& json,
                                                           std::string_view path);
[[nodiscard]] Result<AgentReport> parseAgentReport(const nlohmann::json& json);

// What a credential is made for: project, access, registry URL, alias URL and
// Secret name. The agent rotates when it changes.
std::string credentialSpecHash(const BindingSpec& spec, std::string_view registryUrl,
                               const std::optional<std::string>& aliasUrl);

} // namespace harborrobot::reconcile

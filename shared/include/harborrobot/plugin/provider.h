// Registry providers: everything the hub needs from a registry with robot-like
// tokens (Harbor API v2.0 is the first). Registry-neutral on purpose, so another
// registry can be added as a plugin without touching the hub.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/observability/secret.h"
#include "harborrobot/plugin/factory.h"

namespace harborrobot::plugin {

struct ProviderConfig {
  std::string url;      // e.g. https://harbor.example.com
  std::string username; // an administrator, never a robot
  SecretString password;
};

struct ServerInfo {
  std::string product;      // "Harbor"
  std::string version;      // "v2.12.2-73072d0d"
  bool userIsAdmin = false; // sysadmin_flag or admin_role_in_auth
  bool userIsRobot = false;
  bool readOnly = false; // the registry refuses every change for now (maintenance)
};

struct Permission {
  std::string resource; // "repository"
  std::string action;   // "pull"
  bool operator==(const Permission&) const = default;
};

struct CredentialRequest {
  std::string project;
  std::string name;        // the short robot name; the registry adds its prefixes
  std::string description; // carries the ownership marker
  std::vector<Permission> access;
  std::chrono::seconds lifetime{0}; // backstop expiry; 0 = the registry's default
};

struct Credential {
  std::int64_t id = 0;
  std::string username; // as used on the wire, e.g. robot$team+binding-ns-1a2b
  SecretString secret;
  std::optional<std::chrono::system_clock::time_point> expiresAt;
};

struct CredentialSummary {
  std::int64_t id = 0;
  std::string username;
  std::string description;
  bool disabled = false;
  std::optional<std::chrono::system_clock::time_point> expiresAt;
  std::chrono::system_clock::time_point createdAt;
};

struct VerifyResult {
  bool accepted = false;           // the registry authenticated the credential
  std::vector<Permission> granted; // what its token service granted
  std::string detail;              // why not, for status and doctor
};

class Provider {
public:
  virtual ~Provider();
  [[nodiscard]] virtual Result<ServerInfo> serverInfo() = 0;
  // Creates the project when absent; true when it was created now.
  [[nodiscard]] virtual Result<bool> ensureProject(std::string_view project) = 0;
  [[nodiscard]] virtual Result<Credential> createCredential(const CredentialRequest& request) = 0;
  // Deleting a credential that is already gone succeeds.
  [[nodiscard]] virtual Status deleteCredential(std::string_view project, std::int64_t id) = 0;
  // Credentials of `project` whose description starts with `descriptionPrefix`.
  [[nodiscard]] virtual Result<std::vector<CredentialSummary>>
  listCredentials(std::string_view project, std::string_view descriptionPrefix) = 0;
  // Checks a credential the way a puller would use it (the registry's token
  // service): accepted only when the registry names the credential's own user
  // and grants every action of `expected` that a token can show.
  [[nodiscard]] virtual Result<VerifyResult>
  verifyCredential(std::string_view project, std::string_view username, const SecretString& secret,
                   const std::vector<Permission>& expected) = 0;
};

class ProviderFactory : public Factory {
public:
  ~ProviderFactory() override;
  Kind kind() const final { return Kind::kProvider; }
  // The provider speaks HTTP only through `client`, which must outlive it.
  [[nodiscard]] virtual Result<std::unique_ptr<Provider>> create(ProviderConfig config,
                                                                 http::Client& client) const = 0;
};

} // namespace harborrobot::plugin

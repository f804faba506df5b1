// The registry token service's tokens (NOTES.md §6): RS256 JWTs with a libtrust
// key id, issuer harbor-token-issuer and audience harbor-registry, carrying the
// granted access list. The simulator verifies them itself on /v2/, as Harbor
// core does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "harborrobot/sim/rs256_jwt.h"

namespace harborrobot::harborsim {

inline constexpr const char* kRegistryService = "harbor-registry";
inline constexpr const char* kTokenIssuer = "harbor-token-issuer";

// One entry of a token's "access" claim and of a requested scope.
struct ResourceActions {
  std::string type;
  std::string name;
  std::vector<std::string> actions;
};

struct RegistryClaims {
  std::string subject; // "" for an anonymous token
  std::vector<ResourceActions> access;
  std::int64_t issuedAt = 0;
  std::int64_t expiresAt = 0;
};

// libtrust's key id: SHA-256 of the DER public key, first 240 bits, base32,
// twelve groups of four characters joined by ':'.
std::string libtrustKeyId(std::string_view publicKeyDer);

// Splits a scope ("type:name:actions", the name may hold ':') as Harbor does;
// an empty string yields nothing.
std::vector<ResourceActions> parseScope(std::string_view scope);

class RegistryTokenIssuer {
public:
  // The signing key lives in `keyFile` (created when absent).
  static tl::expected<std::unique_ptr<RegistryTokenIssuer>, std::string>
  loadOrCreate(const std::filesystem::path& keyFile);

  const std::string& keyId() const { return keyId_; }
  std::string issue(const RegistryClaims& claims) const;
  // A token this issuer signed, still valid at `now` (unix seconds), for the
  // harbor-registry audience; otherwise why not.
  tl::expected<RegistryClaims, std::string> verify(std::string_view token, std::int64_t now) const;

private:
  explicit RegistryTokenIssuer(std::unique_ptr<sim::Rs256Key> key);
  std::unique_ptr<sim::Rs256Key> key_;
  std::string keyId_;
};

} // namespace harborrobot::harborsim

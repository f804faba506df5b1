// ServiceAccount tokens as kube-apiserver issues them: RS256 JWTs with the
// kubernetes.io claims, signed by a key kept in the state dir so tokens stay
// valid across a restart with --snapshot.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace harborrobot::kubesim {

// The apiserver's issuer, which is also its default audience.
inline constexpr const char* kTokenIssuer = "https://kubernetes.default.svc.cluster.local";

struct TokenClaims {
  std::string namespaceName;
  std::string serviceAccount;
  std::string serviceAccountUid;
  std::vector<std::string> audiences;
  std::chrono::system_clock::time_point issuedAt;
  std::chrono::system_clock::time_point expiresAt;
  // kind/name/uid of a bound Pod or Secret, if any.
  std::optional<nlohmann::json> boundObject;
};

class TokenSigner {
public:
  // Loads DIR/sa.key, or creates it (RSA 2048) when absent.
  static tl::expected<std::unique_ptr<TokenSigner>, std::string>
  loadOrCreate(const std::filesystem::path& directory);
  ~TokenSigner();
  TokenSigner(const TokenSigner&) = delete;
  TokenSigner& operator=(const TokenSigner&) = delete;

  std::string issue(const TokenClaims& claims) const;
  // The claims of a token this signer issued, or why it is not valid
  // (signature, expiry, shape). Audience and liveness are the caller's checks.
  tl::expected<TokenClaims, std::string> verify(const std::string& token) const;

private:
  struct Key;
  explicit TokenSigner(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
};

} // namespace harborrobot::kubesim

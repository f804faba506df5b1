// RS256 JSON Web Tokens for simulators that issue bearer tokens (the kube
// apiserver's service-account tokens, Harbor's registry tokens). The key is
// kept in a PEM file so tokens stay valid across a restart.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace harborrobot::sim {

// Unpadded base64url (RFC 4648 §5), the JWS encoding.
std::string base64UrlEncode(std::string_view bytes);
tl::expected<std::string, std::string> base64UrlDecode(std::string_view text);

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json payload;
};

class Rs256Key {
public:
  // Loads the PEM private key at `file`, or creates an RSA 2048 key there
  // (mode 0600) when it is absent.
  static tl::expected<std::unique_ptr<Rs256Key>, std::string>
  loadOrCreate(const std::filesystem::path& file);
  ~Rs256Key();
  Rs256Key(const Rs256Key&) = delete;
  Rs256Key& operator=(const Rs256Key&) = delete;

  // DER SubjectPublicKeyInfo, the input of every key-id scheme.
  const std::string& publicKeyDer() const { return publicKeyDer_; }
  // The public key as PEM, for verifiers that need it.
  std::string publicKeyPem() const;

  std::string sign(const nlohmann::json& header, const nlohmann::json& payload) const;
  // Checks the shape, the algorithm and the signature; claims (expiry,
  // audience) are the caller's to judge.
  tl::expected<DecodedJwt, std::string> verify(std::string_view token) const;

private:
  struct Handle;
  explicit Rs256Key(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
  std::string publicKeyDer_;
};

// The string member `key` of `object`, or "" when it is absent or not a string
// (tokens come from clients: a wrong type must not throw).
std::string stringMember(const nlohmann::json& object, const char* key);

// SHA-256 of `bytes`, raw.
std::string sha256(std::string_view bytes);

} // namespace harborrobot::sim

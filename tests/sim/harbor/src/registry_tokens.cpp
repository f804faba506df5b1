#include "registry_tokens.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

namespace harborrobot::harborsim {

using nlohmann::json;

std::string libtrustKeyId(std::string_view publicKeyDer) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = sim::sha256(publicKeyDer).substr(0, 30);
  // 30 bytes are exactly 48 base32 characters: no padding is ever needed.
  std::string encoded;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char byte : digest) {
    buffer = (buffer << 8) | static_cast<unsigned char>(byte);
    bits += 8;
    while (bits >= 5) {
      encoded += kAlphabet[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  std::string keyId;
  for (std::size_t i = 0; i < encoded.size(); i += 4) {
    if (!keyId.empty())
      keyId += ':';
    keyId += encoded.substr(i, 4);
  }
  return keyId;
}

std::vector<ResourceActions> parseScope(std::string_view scope) {
  std::vector<ResourceActions> result;
  std::size_t start = 0;
  while (start <= scope.size()) {
    const std::size_t end = std::min(scope.find(' ', start), scope.size());
    const std::string_view item = scope.substr(start, end - start);
    start = end + 1;
    if (item.empty())
      continue;
    ResourceActions entry;
    const std::size_t firstColon = item.find(':');
    const std::size_t lastColon = item.rfind(':');
    if (firstColon == std::string_view::npos) {
      entry.type = item;
    } else if (firstColon == lastColon) {
      entry.type = item.substr(0, firstColon);
      entry.name = item.substr(firstColon + 1);
    } else {
      entry.type = item.substr(0, firstColon);
      entry.name = item.substr(firstColon + 1, lastColon - firstColon - 1);
      std::string_view actions = item.substr(lastColon + 1);
      while (!actions.empty()) {
        const std::size_t comma = std::min(actions.find(','), actions.size());
        entry.actions.emplace_back(actions.substr(0, comma));
        actions.remove_prefix(std::min(comma + 1, actions.size()));
      }
    }
    result.push_back(std::move(entry));
  }
  return result;
}

RegistryTokenIssuer::RegistryTokenIssuer(std::unique_ptr<sim::Rs256Key> key)
    : key_(std::move(key)), keyId_(libtrustKeyId(key_->publicKeyDer())) {}

tl::expected<std::unique_ptr<RegistryTokenIssuer>, std::string>
RegistryTokenIssuer::loadOrCreate(const std::filesystem::path& keyFile) {
  auto key = sim::Rs256Key::loadOrCreate(keyFile);
  if (!key)
    return tl::unexpected(key.error());
  return std::unique_ptr<RegistryTokenIssuer>(new RegistryTokenIssuer(std::move(*key)));
}

std::string RegistryTokenIssuer::issue(const RegistryClaims& claims) const {
  static constexpr char kIdAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char random[16];
  RAND_bytes(random, sizeof(random));
  std::string jwtId;
  for (const unsigned char byte : random)
    jwtId += kIdAlphabet[byte % (sizeof(kIdAlphabet) - 1)];
  json access = json::array();
  for (const auto& entry : claims.access)
    access.push_back({{"type", entry.type}, {"name", entry.name}, {"actions", entry.actions}});
  const json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"kid", keyId_}};
  const json payload = {{"iss", kTokenIssuer},
                        {"sub", claims.subject},
                        {"aud", kRegistryService},
                        {"exp", claims.expiresAt},
                        {"nbf", claims.issuedAt},
                        {"iat", claims.issuedAt},
                        {"jti", jwtId},
                        {"access", access}};
  return key_->sign(header, payload);
}

tl::expected<RegistryClaims, std::string> RegistryTokenIssuer::verify(std::string_view token,
                                                                      std::int64_t now) const {
  auto decoded = key_->verify(token);
  if (!decoded)
    return tl::unexpected(decoded.error());
  if (sim::stringMember(decoded->header, "kid") != keyId_)
    return tl::unexpected(std::string("unknown signing key"));
  const json& payload = decoded->payload;
  if (sim::stringMember(payload, "iss") != kTokenIssuer ||
      sim::stringMember(payload, "aud") != kRegistryService)
    return tl::unexpected(std::string("wrong issuer or audience"));
  if (!payload.contains("exp") || !payload["exp"].is_number_integer() || !payload.contains("iat") ||
      !payload["iat"].is_number_integer())
    return tl::unexpected(std::string("exp and iat must be integers"));
  RegistryClaims claims;
  claims.subject = sim::stringMember(payload, "sub");
  claims.issuedAt = payload["iat"].get<std::int64_t>();
  claims.expiresAt = payload["exp"].get<std::int64_t>();
  if (claims.expiresAt <= now)
    return tl::unexpected(std::string("token has expired"));
  if (payload.contains("access") && payload["access"].is_array()) {
    for (const auto& entry : payload["access"]) {
      if (!entry.is_object())
        continue;
      ResourceActions access{
          sim::stringMember(entry, "type"), sim::stringMember(entry, "name"), {}};
      const auto actions = entry.find("actions");
      if (actions != entry.end() && actions->is_array()) {
        for (const auto& action : *actions) {
          if (action.is_string())
            access.actions.push_back(action);
        }
      }
      claims.access.push_back(std::move(access));
    }
  }
  return claims;
}

} // namespace harborrobot::harborsim

#include "service_account_tokens.h"

#include <openssl/rand.h>

#include <fmt/format.h>

#include "harborrobot/sim/rs256_jwt.h"

namespace harborrobot::kubesim {

using nlohmann::json;

struct TokenSigner::Key {
  std::unique_ptr<sim::Rs256Key> rsa;
  std::string keyId;
};

namespace {

std::int64_t unixSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromUnix(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

std::string randomId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  std::string id;
  for (unsigned char byte : bytes)
    id += fmt::format("{:02x}", byte);
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) +
         "-" + id.substr(20);
}

} // namespace

TokenSigner::TokenSigner(std::unique_ptr<Key> key) : key_(std::move(key)) {}
TokenSigner::~TokenSigner() = default;

tl::expected<std::unique_ptr<TokenSigner>, std::string>
TokenSigner::loadOrCreate(const std::filesystem::path& directory) {
  auto rsa = sim::Rs256Key::loadOrCreate(directory / "sa.key");
  if (!rsa)
    return tl::unexpected(rsa.error());
  auto key = std::make_unique<Key>();
  key->rsa = std::move(*rsa);
  // The key id is derived from the public key, as the apiserver's is.
  key->keyId = sim::base64UrlEncode(sim::sha256(key->rsa->publicKeyDer()));
  return std::unique_ptr<TokenSigner>(new TokenSigner(std::move(key)));
}

std::string TokenSigner::issue(const TokenClaims& claims) const {
  const json header = {{"alg", "RS256"}, {"kid", key_->keyId}};
  json kubernetes = {
      {"namespace", claims.namespaceName},
      {"serviceaccount", {{"name", claims.serviceAccount}, {"uid", claims.serviceAccountUid}}}};
  if (claims.boundObject) {
    const std::string kind = claims.boundObject->value("kind", "");
    kubernetes[kind == "Pod"      ? "pod"
               : kind == "Secret" ? "secret"
                                  : "node"] = {{"name", claims.boundObject->value("name", "")},
                                               {"uid", claims.boundObject->value("uid", "")}};
  }
  const json payload = {{"iss", kTokenIssuer},
                        {"sub", fmt::format("system:serviceaccount:{}:{}", claims.namespaceName,
                                            claims.serviceAccount)},
                        {"aud", claims.audiences},
                        {"exp", unixSeconds(claims.expiresAt)},
                        {"iat", unixSeconds(claims.issuedAt)},
                        {"nbf", unixSeconds(claims.issuedAt)},
                        {"jti", randomId()},
                        {"kubernetes.io", kubernetes}};
  return key_->rsa->sign(header, payload);
}

tl::expected<TokenClaims, std::string> TokenSigner::verify(const std::string& token) const {
  auto decoded = key_->rsa->verify(token);
  if (!decoded)
    return tl::unexpected("invalid bearer token, " + decoded.error());
  const json& payload = decoded->payload;
  if (!payload.contains("kubernetes.io") || !payload["kubernetes.io"].is_object() ||
      !payload.contains("exp") || !payload["exp"].is_number_integer())
    return tl::unexpected(
        std::string("invalid bearer token, the claims are not a service-account token's"));
  TokenClaims claims;
  const json& kubernetes = payload["kubernetes.io"];
  claims.namespaceName = kubernetes.value("namespace", "");
  const json account = kubernetes.value("serviceaccount", json::object());
  claims.serviceAccount = account.value("name", "");
  claims.serviceAccountUid = account.value("uid", "");
  claims.expiresAt = fromUnix(payload["exp"].get<std::int64_t>());
  claims.issuedAt = fromUnix(payload.value("iat", std::int64_t{0}));
  if (payload.contains("aud") && payload["aud"].is_array()) {
    for (const auto& audience : payload["aud"]) {
      if (audience.is_string())
        claims.audiences.push_back(audience);
    }
  }
  for (const char* kind : {"pod", "secret"}) {
    if (kubernetes.contains(kind) && kubernetes[kind].is_object()) {
      claims.boundObject = kubernetes[kind];
      (*claims.boundObject)["kind"] = std::string(kind) == "pod" ? "Pod" : "Secret";
    }
  }
  if (std::chrono::system_clock::now() >= claims.expiresAt)
    return tl::unexpected(std::string("invalid bearer token, token has expired"));
  return claims;
}

} // namespace harborrobot::kubesim

#include "service_account_tokens.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <fstream>

#include <fmt/format.h>

#include "harborrobot/util/base64.h"

namespace harborrobot::kubesim {

using nlohmann::json;

struct TokenSigner::Key {
  EVP_PKEY* pkey = nullptr;
  std::string keyId;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

std::string base64Url(std::string_view bytes) {
  std::string text = base64Encode(bytes);
  for (char& c : text) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  return text;
}

std::optional<std::string> fromBase64Url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  while (standard.size() % 4 != 0)
    standard += '=';
  auto decoded = base64Decode(standard);
  if (!decoded)
    return std::nullopt;
  return std::string(decoded->begin(), decoded->end());
}

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
  auto key = std::make_unique<Key>();
  const auto file = directory / "sa.key";
  if (std::filesystem::exists(file)) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "r"), &std::fclose);
    if (!in)
      return tl::unexpected("cannot read " + file.string());
    key->pkey = PEM_read_PrivateKey(in.get(), nullptr, nullptr, nullptr);
    if (key->pkey == nullptr)
      return tl::unexpected(file.string() + " is not a PEM private key");
  } else {
    key->pkey = EVP_RSA_gen(2048);
    if (key->pkey == nullptr)
      return tl::unexpected(std::string("cannot generate the service-account signing key"));
    std::filesystem::create_directories(directory);
    std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "w"), &std::fclose);
    if (!out ||
        PEM_write_PrivateKey(out.get(), key->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
      return tl::unexpected("cannot write " + file.string());
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }
  // The key id is derived from the public key, as the apiserver's is.
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key->pkey, &der);
  if (length <= 0)
    return tl::unexpected(std::string("cannot encode the public key"));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digestLength = 0;
  EVP_Digest(der, static_cast<std::size_t>(length), digest, &digestLength, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  key->keyId = base64Url(std::string_view(reinterpret_cast<const char*>(digest), digestLength));
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
  const std::string signingInput = base64Url(header.dump()) + "." + base64Url(payload.dump());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey);
  EVP_DigestSign(context.get(), nullptr, &length,
                 reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size());
  std::string signature(length, '\0');
  EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size());
  signature.resize(length);
  return signingInput + "." + base64Url(signature);
}

tl::expected<TokenClaims, std::string> TokenSigner::verify(const std::string& token) const {
  const auto firstDot = token.find('.');
  const auto secondDot = token.find('.', firstDot == std::string::npos ? 0 : firstDot + 1);
  if (firstDot == std::string::npos || secondDot == std::string::npos ||
      token.find('.', secondDot + 1) != std::string::npos)
    return tl::unexpected(std::string("not a JWT"));
  const std::string signingInput = token.substr(0, secondDot);
  const auto signature = fromBase64Url(std::string_view(token).substr(secondDot + 1));
  const auto payloadText =
      fromBase64Url(std::string_view(token).substr(firstDot + 1, secondDot - firstDot - 1));
  if (!signature || !payloadText)
    return tl::unexpected(std::string("malformed JWT encoding"));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1 ||
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signingInput.data()),
                       signingInput.size()) != 1)
    return tl::unexpected(std::string("invalid bearer token, signature is invalid"));
  const json payload = json::parse(*payloadText, nullptr, false);
  if (!payload.is_object() || !payload.contains("kubernetes.io") ||
      !payload["kubernetes.io"].is_object() || !payload.contains("exp") ||
      !payload["exp"].is_number_integer())
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

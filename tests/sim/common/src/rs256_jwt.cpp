#include "harborrobot/sim/rs256_jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>

#include "harborrobot/util/base64.h"

namespace harborrobot::sim {

using nlohmann::json;

struct Rs256Key::Handle {
  EVP_PKEY* pkey = nullptr;
  ~Handle() { EVP_PKEY_free(pkey); }
};

std::string base64UrlEncode(std::string_view bytes) {
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

tl::expected<std::string, std::string> base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return tl::unexpected(std::string("not base64url"));
  }
  while (standard.size() % 4 != 0)
    standard += '=';
  auto decoded = base64Decode(standard);
  if (!decoded)
    return tl::unexpected(std::string("not base64url"));
  return std::string(decoded->begin(), decoded->end());
}

std::string stringMember(const json& object, const char* key) {
  if (!object.is_object())
    return "";
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

Rs256Key::Rs256Key(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(handle_->pkey, &der);
  if (length > 0)
    publicKeyDer_.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
}

Rs256Key::~Rs256Key() = default;

tl::expected<std::unique_ptr<Rs256Key>, std::string>
Rs256Key::loadOrCreate(const std::filesystem::path& file) {
  auto handle = std::make_unique<Handle>();
  if (std::filesystem::exists(file)) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "r"), &std::fclose);
    if (!in)
      return tl::unexpected("cannot read " + file.string());
    handle->pkey = PEM_read_PrivateKey(in.get(), nullptr, nullptr, nullptr);
    if (handle->pkey == nullptr || EVP_PKEY_get_base_id(handle->pkey) != EVP_PKEY_RSA)
      return tl::unexpected(file.string() + " is not a PEM RSA private key");
  } else {
    handle->pkey = EVP_RSA_gen(2048);
    if (handle->pkey == nullptr)
      return tl::unexpected("cannot generate an RSA key for " + file.string());
    if (file.has_parent_path())
      std::filesystem::create_directories(file.parent_path());
    std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "w"), &std::fclose);
    if (!out ||
        PEM_write_PrivateKey(out.get(), handle->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
      return tl::unexpected("cannot write " + file.string());
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }
  auto key = std::unique_ptr<Rs256Key>(new Rs256Key(std::move(handle)));
  if (key->publicKeyDer_.empty())
    return tl::unexpected("cannot encode the public key of " + file.string());
  return key;
}

std::string Rs256Key::publicKeyPem() const {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), handle_->pkey);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string Rs256Key::sign(const json& header, const json& payload) const {
  const std::string signingInput =
      base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload.dump());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(signingInput.data());
  EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, handle_->pkey);
  EVP_DigestSign(context.get(), nullptr, &length, input, signingInput.size());
  std::string signature(length, '\0');
  EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                 signingInput.size());
  signature.resize(length);
  return signingInput + "." + base64UrlEncode(signature);
}

tl::expected<DecodedJwt, std::string> Rs256Key::verify(std::string_view token) const {
  const auto firstDot = token.find('.');
  const auto secondDot = token.find('.', firstDot == std::string_view::npos ? 0 : firstDot + 1);
  if (firstDot == std::string_view::npos || secondDot == std::string_view::npos ||
      token.find('.', secondDot + 1) != std::string_view::npos)
    return tl::unexpected(std::string("not a JWT"));
  const std::string_view signingInput = token.substr(0, secondDot);
  const auto headerText = base64UrlDecode(token.substr(0, firstDot));
  const auto payloadText = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
  const auto signature = base64UrlDecode(token.substr(secondDot + 1));
  if (!headerText || !payloadText || !signature)
    return tl::unexpected(std::string("malformed JWT encoding"));
  DecodedJwt decoded{json::parse(*headerText, nullptr, false),
                     json::parse(*payloadText, nullptr, false)};
  if (!decoded.header.is_object() || !decoded.payload.is_object())
    return tl::unexpected(std::string("malformed JWT: header and payload must be JSON objects"));
  if (stringMember(decoded.header, "alg") != "RS256")
    return tl::unexpected(std::string("unexpected JWT algorithm, want RS256"));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, handle_->pkey) != 1 ||
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signingInput.data()),
                       signingInput.size()) != 1)
    return tl::unexpected(std::string("signature is invalid"));
  return decoded;
}

} // namespace harborrobot::sim

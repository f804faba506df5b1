#include "password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fmt/format.h>

namespace harborrobot::harborsim {
namespace {

// Harbor uses 4096 iterations and a 16-byte key; the simulator keeps that
// cost so its benchmark figures mean something.
constexpr int kIterations = 4096;
constexpr int kKeyBytes = 16;

std::string hex(const unsigned char* bytes, std::size_t length) {
  std::string text;
  for (std::size_t i = 0; i < length; ++i)
    text += fmt::format("{:02x}", bytes[i]);
  return text;
}

std::string derive(const std::string& secret, const std::string& salt) {
  unsigned char key[kKeyBytes];
  PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), kIterations, EVP_sha256(), kKeyBytes, key);
  return hex(key, kKeyBytes);
}

} // namespace

PasswordHash hashPassword(const std::string& secret) {
  unsigned char salt[16];
  RAND_bytes(salt, sizeof(salt));
  PasswordHash stored;
  stored.salt = hex(salt, sizeof(salt));
  stored.hash = derive(secret, stored.salt);
  return stored;
}

bool verifyPassword(const std::string& secret, const PasswordHash& stored) {
  const std::string candidate = derive(secret, stored.salt);
  return candidate.size() == stored.hash.size() &&
         CRYPTO_memcmp(candidate.data(), stored.hash.data(), candidate.size()) == 0;
}

} // namespace harborrobot::harborsim

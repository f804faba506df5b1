// Secrets at rest as Harbor keeps them: PBKDF2-SHA256 with a random salt, so a
// robot's secret can be checked but never read back.
#pragma once

#include <string>

namespace harborrobot::harborsim {

struct PasswordHash {
  std::string salt; // hex
  std::string hash; // hex
};

PasswordHash hashPassword(const std::string& secret);
bool verifyPassword(const std::string& secret, const PasswordHash& stored);

} // namespace harborrobot::harborsim

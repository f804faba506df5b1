// Harbor name rules and robot-name derivation.
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/registry/harbor_facts.h"

#include <algorithm>
#include <regex>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace harborrobot {

namespace {

bool matchesHarborPattern(std::string_view name) {
  static const std::regex pattern("[a-z0-9]+(?:[._-][a-z0-9]+)*");
  return std::regex_match(name.begin(), name.end(), pattern);
}

// Lower-cases and replaces anything outside Harbor's alphabet with '-', then
// collapses separator runs and trims them at the ends.
std::string sanitize(std::string_view text) {
  std::string out;
  for (const char raw : text) {
    char c = raw;
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool separator = c == '.' || c == '_' || c == '-';
    if (!alnum && !separator) {
      c = '-';
    }
    if (!alnum && (out.empty() || !std::isalnum(static_cast<unsigned char>(out.back())))) {
      continue;
    }
    out += c;
  }
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) {
    out.pop_back();
  }
  return out;
}

} // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

Status validateProjectName(std::string_view name, std::string_view path) {
  if (name.empty() || name.size() > 255 || !matchesHarborPattern(name)) {
    return makeError(fieldError(path, name, "is not a valid Harbor project name",
                                "1-255 lower-case letters, digits and single '.', '_' or '-' "
                                "between them, e.g. team"));
  }
  return ok();
}

bool isValidRobotName(std::string_view name) {
  return matchesHarborPattern(name);
}

std::string robotNameFor(const RobotNameInput& input) {
  const std::string hash = sha256Hex(fmt::format("{}/{}/{}/{}", input.clusterId, input.bindingUid,
                                                 input.ns, input.generation))
                               .substr(0, kRobotNameHashDigits);
  std::string base = sanitize(fmt::format("{}-{}", input.binding, input.ns));
  const std::size_t length = std::clamp(input.maxLength, kMinRobotNameLength, kMaxRobotNameLength);
  if (length < hash.size() + 2) {
    return hash; // no room for even one character and the separator
  }
  const std::size_t room = length - hash.size() - 1;
  if (base.size() > room) {
    base = sanitize(std::string_view(base).substr(0, room));
  }
  return base.empty() ? hash : base + "-" + hash;
}

bool isSupportedHarborVersion(std::string_view version) {
  const auto parsed = registry::parseHarborVersion(version);
  return parsed && *parsed >= registry::HarborVersion{2, 12, 0};
}

} // namespace harborrobot

// Fuzzes connection Secret parsing: no crash, and no error quotes the password.
// The password is what the document holds at stringData.password (or, decoded,
// at data.password); other fields may quote whatever they hold, so the check
// applies only when the password's text appears nowhere else in the document.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "harborrobot/model/connection.h"
#include "harborrobot/util/base64.h"

namespace {

// Texts shorter than this turn up in any message by chance.
constexpr std::size_t kShortest = 6;

std::optional<std::string> scalarAt(const YAML::Node& root, const char* map, const char* key) {
  if (!root.IsMap() || !root[map].IsMap() || !root[map][key].IsScalar()) {
    return std::nullopt;
  }
  return root[map][key].Scalar();
}

bool occursOnce(std::string_view text, std::string_view part) {
  const auto first = text.find(part);
  return first != std::string_view::npos && text.find(part, first + 1) == std::string_view::npos;
}

void expectNotQuoted(std::string_view document, std::string_view message,
                     std::string_view password) {
  if (password.size() >= kShortest && occursOnce(document, password) &&
      message.find(password) != std::string_view::npos) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto connection = harborrobot::parseConnectionSecretYaml(text);
  if (connection) {
    return 0;
  }
  const std::string& message = connection.error().message();
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return 0; // not YAML: no field holds a password
  }
  try {
    if (const auto plain = scalarAt(root, "stringData", "password")) {
      expectNotQuoted(text, message, *plain);
    }
    if (const auto encoded = scalarAt(root, "data", "password")) {
      expectNotQuoted(text, message, *encoded);
      if (const auto decoded = harborrobot::base64Decode(*encoded)) {
        if (decoded->size() >= kShortest && message.find(*decoded) != std::string::npos &&
            text.find(*decoded) == std::string_view::npos) {
          std::abort(); // the decoded password, which the document never shows
        }
      }
    }
  } catch (const YAML::Exception&) {
    return 0;
  }
  return 0;
}

// Fuzzes connection Secret parsing: no crash, and no error quotes the password.
// The password is what the document holds at stringData.password (or, decoded,
// at data.password); other fields may quote whatever they hold, so the check
// applies only when the password's text appears nowhere else in the document,
// and it is differential (expectNotQuoted).
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

// A message may hold the password's text by chance (its own wording, another
// field's value), so the check is differential: with the password's text in
// the document replaced by a marker of the same length, a message that quotes
// the password quotes the marker.
// `written` is the password as the document holds it, `read` as a message
// would show it (the same, or decoded from base64).
struct Password {
  std::string_view written;
  std::string_view read;
};

void expectNotQuoted(std::string_view document, const std::string& message, Password password,
                     std::string_view replacement, std::string_view marker) {
  if (password.read.size() < kShortest || !occursOnce(document, password.written) ||
      message.find(password.read) == std::string::npos) {
    return;
  }
  std::string marked(document);
  marked.replace(marked.find(password.written), password.written.size(), replacement);
  const auto again = harborrobot::parseConnectionSecretYaml(marked);
  if (!again && again.error().message().find(marker) != std::string::npos) {
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
      const std::string marker(plain->size(), 'Q');
      expectNotQuoted(text, message, {*plain, *plain}, marker, marker);
    }
    if (const auto encoded = scalarAt(root, "data", "password")) {
      const std::string marker(encoded->size(), 'Q');
      expectNotQuoted(text, message, {*encoded, *encoded}, marker, marker);
      if (const auto decoded = harborrobot::base64Decode(*encoded)) {
        // The decoded password, which the document never shows in clear.
        const std::string clearMarker(decoded->size(), 'Q');
        if (text.find(*decoded) == std::string_view::npos) {
          expectNotQuoted(text, message, {*encoded, *decoded},
                          harborrobot::base64Encode(clearMarker), clearMarker);
        }
      }
    }
  } catch (const YAML::Exception&) {
    return 0;
  }
  return 0;
}

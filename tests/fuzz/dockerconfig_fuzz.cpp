// Fuzzes .dockerconfigjson parsing, and checks build/parse round trips for
// credentials made from the input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harborrobot/model/dockerconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)harborrobot::parseDockerConfigJson(text, "https://harbor.example.com");
  const std::string half(text.substr(0, size / 2));
  const harborrobot::RegistryCredential credential{
      "https://h", half, harborrobot::SecretString(std::string(text.substr(size / 2)))};
  const auto json = harborrobot::buildDockerConfigJson(credential);
  const auto back = harborrobot::parseDockerConfigJson(json.reveal(), "https://h");
  // Invalid UTF-8 is replaced on the way out; printable ASCII must round-trip.
  const auto ascii = [](std::string_view value) {
    for (const char c : value) {
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  };
  if (ascii(text) && (!back || back->username != credential.username ||
                      back->password.reveal() != credential.password.reveal())) {
    std::abort();
  }
  return 0;
}

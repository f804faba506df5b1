// Fuzzes connection Secret parsing: no crash, and no error ever quotes the password.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harborrobot/model/connection.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto connection = harborrobot::parseConnectionSecretYaml(text);
  if (!connection && connection.error().message().find("Pa55w0rdFuzz") != std::string::npos) {
    std::abort();
  }
  return 0;
}

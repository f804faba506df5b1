// Fuzzes quoteForMessage: any bytes must give a bounded, printable, quoted string.
#include "harborrobot/core/error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string quoted = harborrobot::quoteForMessage(input);
  for (const char c : quoted) {
    if (static_cast<unsigned char>(c) < 0x20) {
      std::abort();
    }
  }
  if (quoted.size() > 4 * 200 + 64) {
    std::abort();
  }
  return 0;
}

// Fuzzes parseGoDuration: any input parses or fails cleanly, and what parses
// formats to text that parses back to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harborrobot/util/go_duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = harborrobot::parseGoDuration(text);
  if (parsed) {
    const auto again = harborrobot::parseGoDuration(harborrobot::formatGoDuration(*parsed));
    if (!again || *again != *parsed) {
      std::abort();
    }
  }
  return 0;
}

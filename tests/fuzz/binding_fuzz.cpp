// Fuzzes HarborRobotBinding parsing from YAML: no crash, and every error is an
// InvalidArgument with a message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harborrobot/model/binding.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto binding = harborrobot::parseBindingYaml(text);
  if (!binding && (binding.error().code() != harborrobot::ErrorCode::kInvalidArgument ||
                   binding.error().message().empty())) {
    std::abort();
  }
  return 0;
}

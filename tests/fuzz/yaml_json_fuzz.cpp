// Fuzzes YAML-to-JSON conversion: no crash, no hang on alias bombs.
#include <cstdint>
#include <string_view>

#include "harborrobot/util/yaml_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)harborrobot::yamlDocumentsToJson(text);
  return 0;
}

// Fuzzes the label selector string form: parsing never crashes, and a parsed
// selector's canonical form parses back to the same canonical form.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harborrobot/model/label_selector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = harborrobot::parseLabelSelectorString(text);
  if (parsed) {
    const auto again = harborrobot::parseLabelSelectorString(parsed->toString());
    if (!again || again->toString() != parsed->toString()) {
      std::abort();
    }
    (void)parsed->matches({{"a", "b"}, {"team", "1"}});
  }
  return 0;
}

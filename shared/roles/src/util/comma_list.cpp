// splitCommaList: no trimming, so a name with spaces is refused where it is
// used, not silently changed here.
#include "harborrobot/util/comma_list.h"

namespace harborrobot {

std::vector<std::string> splitCommaList(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    if (!name.empty()) {
      names.emplace_back(name);
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return names;
}

} // namespace harborrobot

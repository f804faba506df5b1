// Case-insensitive ordering of HTTP header names.
#include <algorithm>
#include <cctype>

#include "harborrobot/http/client.h"

namespace harborrobot::http {

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

} // namespace harborrobot::http

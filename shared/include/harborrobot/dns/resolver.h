// Host name resolution behind an interface, so alias policies and their tests do
// not depend on the machine's DNS. The core's c-ares implementation is the real one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::dns {

class Resolver {
public:
  virtual ~Resolver();
  // All IPv4 and IPv6 addresses of `host`, as text, sorted and without duplicates.
  // A name that does not exist is kNotFound; a timeout or server failure is
  // kUnavailable, so callers can keep their last decision.
  [[nodiscard]] virtual Result<std::vector<std::string>> resolve(std::string_view host) = 0;
};

} // namespace harborrobot::dns

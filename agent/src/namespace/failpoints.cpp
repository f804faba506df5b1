// SIGKILL, not exit(): no destructor, flush or handler may run, as with kill -9.
#include "failpoints.h"

#include <csignal>
#include <cstdio>

namespace harborrobot::agent::namespace_role {

Failpoints::Failpoints(std::string_view spec) {
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const auto name = spec.substr(0, comma);
    if (!name.empty()) {
      armed_.emplace(name);
    }
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
  }
}

void Failpoints::reach(std::string_view name) const {
  if (armed_.contains(name)) {
    std::fprintf(stderr, "failpoint %.*s: SIGKILL\n", static_cast<int>(name.size()), name.data());
    std::fflush(stderr);
    std::raise(SIGKILL);
  }
}

} // namespace harborrobot::agent::namespace_role

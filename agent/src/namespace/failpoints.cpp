// SIGKILL, not exit(): no destructor, flush or handler may run, as with kill -9.
#include "failpoints.h"

#include <csignal>
#include <cstdio>

#include "harborrobot/util/comma_list.h"

namespace harborrobot::agent::namespace_role {

Failpoints::Failpoints(std::string_view spec) {
  for (auto& name : splitCommaList(spec)) {
    armed_.insert(std::move(name));
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

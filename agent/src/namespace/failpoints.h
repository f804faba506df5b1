// Crash points for the kill-at-every-step test: with HARBORROBOT_FAILPOINTS set
// to a comma-separated list of names, the agent sends itself SIGKILL when it
// reaches one, which is exactly a `kill -9` after the API call before it. Unset
// (always, outside that test) it costs one empty-set lookup.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace harborrobot::agent::namespace_role {

class Failpoints {
public:
  Failpoints() = default;
  explicit Failpoints(std::string_view spec);

  // Never returns when `name` is armed.
  void reach(std::string_view name) const;

private:
  std::set<std::string, std::less<>> armed_;
};

} // namespace harborrobot::agent::namespace_role

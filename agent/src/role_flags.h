// Command-line flags of the agent's roles: "--name value" or "--name=value",
// checked against the role's list so a typo is an error, not a silent default.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::agent {

class RoleFlags {
public:
  // `known` are the flag names with their dashes ("--listen"); `repeatable` may
  // be given more than once. "--help" yields an error with an empty message.
  [[nodiscard]] static Result<RoleFlags> parse(const std::vector<std::string>& args,
                                               const std::set<std::string>& known,
                                               const std::set<std::string>& repeatable = {});

  std::string get(std::string_view name, std::string fallback) const;
  std::vector<std::string> all(std::string_view name) const;

private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

} // namespace harborrobot::agent

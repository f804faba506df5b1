// Command-line flags of the agent's roles: "--name value" or "--name=value",
// checked against the role's list so a typo is an error, not a silent default.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot {

struct RoleFlagSet {
  // Flag names with their dashes ("--listen").
  std::set<std::string> known;
  // Flags that may be given more than once (all() returns every value).
  std::set<std::string> repeatable = {};
  // Other spellings of a known flag ("-config" for "--config": the DR guide
  // writes Go's single-dash flags).
  std::map<std::string, std::string> aliases = {};
};

class RoleFlags {
public:
  // "--help" or "-h" yields an error with an empty message (the caller prints
  // its usage); an unknown flag, a missing value or a repeated flag that is not
  // repeatable is an error naming the flag.
  [[nodiscard]] static Result<RoleFlags> parse(const std::vector<std::string>& args,
                                               const RoleFlagSet& set);

  bool has(std::string_view name) const;
  // The last value given, or `fallback`.
  std::string get(std::string_view name, std::string fallback) const;
  std::vector<std::string> all(std::string_view name) const;

private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

} // namespace harborrobot

#include "harborrobot/util/role_flags.h"

#include <fmt/format.h>

namespace harborrobot {

Result<RoleFlags> RoleFlags::parse(const std::vector<std::string>& args, const RoleFlagSet& set) {
  auto canonical = [&set](const std::string& name) {
    const auto alias = set.aliases.find(name);
    return alias == set.aliases.end() ? name : alias->second;
  };
  RoleFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    if (name == "--help" || name == "-h") {
      return makeError(ErrorCode::kInvalidArgument, "");
    }
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name = canonical(name.substr(0, equals));
    } else {
      name = canonical(name);
      if (set.known.contains(name)) {
        if (i + 1 >= args.size()) {
          return makeError(ErrorCode::kInvalidArgument,
                           fmt::format("flag {} needs a value", args[i]));
        }
        value = args[++i];
      }
    }
    if (!set.known.contains(name)) {
      return makeError(ErrorCode::kInvalidArgument, fmt::format("unknown flag {}", name));
    }
    auto& values = flags.values_[name];
    if (!values.empty() && !set.repeatable.contains(name)) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("flag {} is given more than once", name));
    }
    values.push_back(std::move(value));
  }
  return flags;
}

bool RoleFlags::has(std::string_view name) const {
  return values_.contains(name);
}

std::string RoleFlags::get(std::string_view name, std::string fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() || found->second.empty() ? fallback : found->second.back();
}

std::vector<std::string> RoleFlags::all(std::string_view name) const {
  const auto found = values_.find(name);
  return found == values_.end() ? std::vector<std::string>{} : found->second;
}

} // namespace harborrobot

#include "role_flags.h"

#include <fmt/format.h>

namespace harborrobot::agent {

Result<RoleFlags> RoleFlags::parse(const std::vector<std::string>& args,
                                   const std::set<std::string>& known,
                                   const std::set<std::string>& repeatable) {
  RoleFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    if (name == "--help" || name == "-h") {
      return makeError(ErrorCode::kInvalidArgument, "");
    }
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    } else if (known.contains(name)) {
      if (i + 1 >= args.size()) {
        return makeError(ErrorCode::kInvalidArgument, fmt::format("flag {} needs a value", name));
      }
      value = args[++i];
    }
    if (!known.contains(name)) {
      return makeError(ErrorCode::kInvalidArgument, fmt::format("unknown flag {}", name));
    }
    auto& values = flags.values_[name];
    if (!values.empty() && !repeatable.contains(name)) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("flag {} is given more than once", name));
    }
    values.push_back(std::move(value));
  }
  return flags;
}

std::string RoleFlags::get(std::string_view name, std::string fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() || found->second.empty() ? fallback : found->second.back();
}

std::vector<std::string> RoleFlags::all(std::string_view name) const {
  const auto found = values_.find(name);
  return found == values_.end() ? std::vector<std::string>{} : found->second;
}

} // namespace harborrobot::agent

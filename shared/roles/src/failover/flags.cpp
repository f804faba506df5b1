// The failover role's flags, read with the roles' common RoleFlags.
#include "harborrobot/failover/flags.h"

#include "harborrobot/kube/rest_config.h"
#include "harborrobot/util/role_flags.h"

namespace harborrobot::failover {

Result<FailoverFlags> parseFailoverFlags(const std::vector<std::string>& args) {
  auto parsed =
      RoleFlags::parse(args, {.known = {"--config", "--listen", "--in-cluster-dir", "--log-level"},
                              .aliases = {{"-config", "--config"}, {"-listen", "--listen"}}});
  if (!parsed) {
    return makeError(parsed.error());
  }
  FailoverFlags flags;
  flags.config = parsed->get("--config", "");
  flags.listen = parsed->get("--listen", flags.listen);
  flags.inClusterDir = parsed->get("--in-cluster-dir", kube::InClusterPaths{}.directory.string());
  const auto level = parseLogLevel(parsed->get("--log-level", "info"));
  if (!level) {
    return makeError(level.error());
  }
  flags.level = *level;
  if (flags.config.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "--config is required");
  }
  return flags;
}

} // namespace harborrobot::failover

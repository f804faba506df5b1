// harborrobot-agent entry point: picks the role from the first argument.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "failover/failover_role.h"
#include "hub/hub_role.h"
#include "namespace/namespace_role.h"

namespace {

constexpr std::string_view kUsage =
    "usage: harborrobot-agent ROLE [flags]\n"
    "roles:\n"
    "  hub        the cluster's hub: bindings, Harbor robots, the hub API\n"
    "  namespace  one namespace's pull Secrets, rotated through the hub\n"
    "  failover   the Harbor DR start/stop watchdog of Alauda's DR guide (--config FILE)\n"
    "  version    print the version\n"
    "";

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  const std::string_view role = argv[1];
  const std::vector<std::string> rest(argv + 2, argv + argc);
  if (role == "version" || role == "--version") {
    std::printf("harborrobot-agent %s\n", HARBORROBOT_VERSION);
    return 0;
  }
  if (role == "hub") {
    return harborrobot::agent::runHubRole(rest);
  }
  if (role == "namespace") {
    return harborrobot::agent::runNamespaceRole(rest);
  }
  if (role == "failover") {
    return harborrobot::agent::runFailoverRole(rest);
  }
  if (role == "--help" || role == "-h" || role == "help") {
    std::fputs(kUsage.data(), stdout);
    return 0;
  }
  std::fprintf(
      stderr,
      "harborrobot-agent: unknown role \"%s\" (expected hub, namespace, failover or version)\n%s",
      argv[1], kUsage.data());
  return 2;
}

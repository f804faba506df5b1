// harborrobot-agent entry point: picks the role from the first argument.
// The roles themselves are added by their own issues (hub, namespace, failover).
#include <cstdio>
#include <string_view>

namespace {
constexpr std::string_view kUsage = "usage: harborrobot-agent hub|namespace|failover [flags]\n"
                                    "       harborrobot-agent version\n";
} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  const std::string_view role = argv[1];
  if (role == "version" || role == "--version") {
    std::printf("harborrobot-agent %s\n", HARBORROBOT_VERSION);
    return 0;
  }
  std::fprintf(stderr,
               "harborrobot-agent: unknown role \"%s\" (expected hub, namespace or failover)\n%s",
               argv[1], kUsage.data());
  return 2;
}

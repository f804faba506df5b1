// kubectl-harborrobot entry point. The command tree is built with CLI11.
#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"kubectl harborrobot: Harbor robot credentials for every namespace",
               "kubectl harborrobot"};
  app.require_subcommand(1);
  app.add_subcommand("version", "Print the plugin version")->callback([] {
    std::printf("kubectl-harborrobot %s\n", HARBORROBOT_VERSION);
  });
  CLI11_PARSE(app, argc, argv);
  return 0;
}

// kubectl-harborrobot entry point: builds the CLI11 command tree and runs it.
// kubectl passes plugin arguments through untouched (kubectl-traces.md §11).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "failover_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Harbor robot credentials for every namespace", "kubectl harborrobot"};
  app.require_subcommand(1);
  int exitCode = 0;
  app.add_subcommand("version", "Print the plugin version")->callback([] {
    std::printf("kubectl-harborrobot %s\n", HARBORROBOT_VERSION);
  });
  harborrobot::cli::registerFailoverCommands(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 1;
  }
  return exitCode;
}

// kubectl-harborrobot entry point: kubectl's own flags, the command tree, exit
// codes. kubectl passes a plugin its arguments untouched and resolves none of
// its flags for it (kubectl-traces.md §11), so they are all parsed here.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "failover_command.h"
#include "harborrobot/cli/completion.h"
#include "session.h"

int main(int argc, char** argv) {
  using namespace harborrobot::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (argc > 0 && launchedAsCompletionShim(argv[0])) {
    args.insert(args.begin(), "__complete");
  }
  CLI::App app{"Short-lived Harbor robot credentials as image pull Secrets, for every namespace",
               "kubectl harborrobot"};
  app.require_subcommand(1);
  app.fallthrough(); // kubectl's flags may follow the command, as in kubectl itself
  app.footer("Use \"kubectl harborrobot <command> --help\" for more information about a command.");
  GlobalFlags flags;
  app.add_option("--kubeconfig", flags.kubeconfig, "Path to the kubeconfig file to use");
  app.add_option("--context", flags.context, "The kubeconfig context to use");
  app.add_option("-n,--namespace", flags.ns, "The namespace scope for this request");
  app.add_option("--request-timeout", flags.requestTimeout,
                 "Time limit of a single API request (0 = none), e.g. 30s")
      ->capture_default_str();
  app.add_option("--color", flags.color, "auto, always or never (NO_COLOR is honoured)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "always", "never"}));
  Session session(flags);
  int exitCode = 0;
  const CommandContext context{session, exitCode};
  registerInstallCommands(app, context);
  registerConnectCommands(app, context);
  registerBindCommand(app, context);
  registerValidateCommand(app, context);
  registerStatusCommand(app, context);
  registerRotateCommand(app, context);
  registerDoctorCommand(app, context);
  registerFailoverCommands(app, exitCode);
  registerImageCommands(app, context);
  registerVersionCommand(app, context);
  registerCompletionCommands(app);
  if (!args.empty() && args.front() == "__complete") {
    const std::vector<std::string> words(args.begin() + 1, args.end());
    // The cluster to ask for names is the one the command line names.
    for (std::size_t i = 0; i + 2 < words.size(); ++i) {
      if (words[i] == "--context") {
        flags.context = words[i + 1];
      } else if (words[i] == "--kubeconfig") {
        flags.kubeconfig = words[i + 1];
      }
    }
    return completeWords(app, session, words);
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) {
      return app.exit(error);
    }
    std::fprintf(stderr, "error: %s\nSee 'kubectl harborrobot --help' for usage.\n", error.what());
    return kExitFailure;
  }
  return exitCode;
}

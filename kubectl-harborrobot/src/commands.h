// The command tree of `kubectl harborrobot`: each group registers its own
// subcommands, flags and callback. A callback stores its exit code in `exitCode`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "session.h"

namespace harborrobot::cli {

struct CommandContext {
  Session& session;
  int& exitCode;
};

void registerVersionCommand(CLI::App& app, CommandContext context);
void registerInstallCommands(CLI::App& app, CommandContext context);
void registerConnectCommands(CLI::App& app, CommandContext context);
void registerBindCommand(CLI::App& app, CommandContext context);
void registerStatusCommand(CLI::App& app, CommandContext context);
void registerRotateCommand(CLI::App& app, CommandContext context);
void registerDoctorCommand(CLI::App& app, CommandContext context);
void registerValidateCommand(CLI::App& app, CommandContext context);
void registerImageCommands(CLI::App& app, CommandContext context);
void registerCompletionCommands(CLI::App& app);

// `__complete WORDS…` (and the kubectl_complete-harborrobot shim): candidates for
// the last word, one per line, then ":<cobra directive>". Handled before parsing,
// since the words are an unfinished command line.
int completeWords(const CLI::App& root, Session& session, const std::vector<std::string>& words);

} // namespace harborrobot::cli

// `kubectl harborrobot validate -f FILE…`: the core's own parsers over bindings
// and connection Secrets, offline, for CI pipelines and GitOps repositories.
// Other kinds are skipped (a repository holds more than our objects).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "commands.h"

#include "harborrobot/cli/manifest_check.h"

namespace harborrobot::cli {

namespace {

int runValidate(CommandContext context, const std::vector<std::string>& files) {
  const auto& session = context.session;
  ManifestTally tally;
  for (const auto& file : files) {
    const std::size_t before = tally.problems.size();
    std::string text;
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      checkManifestText(file, text, tally);
    } else if (std::ifstream in(file, std::ios::binary); in) {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      checkManifestText(file, text, tally);
    } else {
      tally.problems.push_back({file, Error(ErrorCode::kNotFound, "cannot be read")});
    }
    // Each file's problems as it is read, so a long run shows progress.
    for (std::size_t i = before; i < tally.problems.size(); ++i) {
      const auto& problem = tally.problems[i];
      std::fprintf(stderr, "%s %s: %s\n", session.paint("error:", "31", stderr).c_str(),
                   problem.where.c_str(), problem.error.message().c_str());
    }
  }
  std::printf("%s\n", tally.summary().c_str());
  return tally.problems.empty() ? 0 : kExitFailure;
}

} // namespace

void registerValidateCommand(CLI::App& app, CommandContext context) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* validate = app.add_subcommand(
      "validate", "Check binding and connection manifests offline (for CI and GitOps)");
  validate->group("Setup Commands");
  validate->add_option("-f,--filename", *files, "Files to check; - for stdin")->required();
  validate->callback([context, files] { context.exitCode = runValidate(context, *files); });
}

} // namespace harborrobot::cli

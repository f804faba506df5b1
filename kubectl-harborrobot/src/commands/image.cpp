// `kubectl harborrobot image push REGISTRY/PROJECT[/NAME][:TAG]`: copies the agent's
// image, carried in the release archive, into the user's Harbor (or any OCI
// registry), for clusters that reach no other registry. The work is the core's.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "commands.h"

#include "harborrobot/cli/flag_files.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/registry/image_push.h"

namespace harborrobot::cli {

namespace {

std::filesystem::path executablePath() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path("./bin/kubectl-harborrobot") : self;
}

constexpr std::string_view kImageName = "harborrobot-agent";

struct PushFlags {
  std::string destination;
  std::string archive;
  std::string username;
  bool passwordStdin = false;
  std::string caFile;
  bool plainHttp = false;
};

int push(CommandContext context, const PushFlags& flags) {
  auto destination =
      registry::parseImageDestination(flags.destination, kImageName, HARBORROBOT_VERSION);
  if (!destination) {
    return context.session.fail(destination.error());
  }
  if (!flags.username.empty() && !flags.passwordStdin) {
    return context.session.fail(
        Error(ErrorCode::kInvalidArgument,
              "--username needs --password-stdin: the password is read from stdin only (a flag "
              "would leak it into shell history)"));
  }
  registry::PushOptions options;
  if (flags.passwordStdin) {
    auto password = readPassword(std::cin, "--password-stdin");
    if (!password) {
      return context.session.fail(password.error());
    }
    options.credentials = http::BasicAuth{flags.username, SecretString(std::move(*password))};
  }
  const std::filesystem::path archive = flags.archive.empty()
                                            ? defaultImageArchive(executablePath())
                                            : std::filesystem::path(flags.archive);
  auto image = registry::readOciArchive(archive);
  if (!image) {
    return context.session.fail(image.error());
  }
  http::ClientOptions clientOptions;
  clientOptions.tls.caFile = flags.caFile;
  http::HttpsClient client(std::move(clientOptions));
  options.scheme = flags.plainHttp ? "http" : "https";
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  options.onProgress = [terminal](const registry::PushProgress& p) {
    const auto what =
        p.index == 0 ? std::string("config") : fmt::format("layer {}/{}", p.index, p.count - 1);
    const auto line =
        fmt::format("{} {} {} / {}{}", what, p.digest.substr(0, 19), mebibytes(p.sent),
                    mebibytes(p.size), p.skipped ? " (already there)" : "");
    const bool done = p.skipped || p.sent == p.size;
    if (terminal) {
      std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), done ? "\n" : "");
    } else if (done) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  };
  auto pushed = registry::pushImage(client, *image, *destination, options);
  if (!pushed) {
    return context.session.fail(pushed.error());
  }
  std::cout << fmt::format("pushed {} ({} uploaded, {} already there)\n{}\n"
                           "install with: kubectl harborrobot install --image {}\n",
                           destination->text(), pushed->uploaded, pushed->skipped,
                           pushed->reference, destination->text());
  return 0;
}

} // namespace

void registerImageCommands(CLI::App& app, CommandContext context) {
  auto* image = app.add_subcommand("image", "The agent's image, for registries you run");
  image->require_subcommand(1);
  auto flags = std::make_shared<PushFlags>();
  auto* pushCommand = image->add_subcommand(
      "push", "Copy the agent's image (carried in the release archive) into a registry");
  pushCommand
      ->add_option("destination", flags->destination,
                   "REGISTRY/PROJECT[/NAME][:TAG], e.g. harbor.example.com/library")
      ->required();
  pushCommand->add_option("--username", flags->username, "Registry user (e.g. a robot account)");
  pushCommand->add_flag("--password-stdin", flags->passwordStdin, "Read the password from stdin");
  pushCommand->add_option("--ca-file", flags->caFile, "PEM file of CAs that sign the registry");
  pushCommand->add_option("--archive", flags->archive,
                          "The image's OCI archive (default: the one beside the plugin)");
  pushCommand->add_flag("--plain-http", flags->plainHttp, "Speak HTTP, not HTTPS (tests only)");
  pushCommand->callback([context, flags] { context.exitCode = push(context, *flags); });
}

} // namespace harborrobot::cli

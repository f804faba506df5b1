// The failover command group: reads the operator's scripts and prints manifests.
#include "failover_command.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "harborrobot/cli/flag_files.h"
#include "harborrobot/failover/manifest.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::cli {

namespace {

struct ManifestFlags {
  failover::ManifestInput input;
  std::string conditionFile;
  std::string startFile;
  std::string stopFile;
  std::string statusFile;
};

} // namespace

void registerFailoverCommands(CLI::App& app, int& exitCode) {
  auto* group = app.add_subcommand("failover", "Harbor DR start/stop watchdog (Alauda's DR guide)");
  group->group("Other Commands");
  group->require_subcommand(1);
  auto flags = std::make_shared<ManifestFlags>();
  flags->input.image = std::string(wire::kDefaultAgentImage);
  auto* manifest = group->add_subcommand(
      "manifest", "Print the watchdog's ServiceAccount, RBAC, ConfigMap and Deployment");
  manifest
      ->add_option("--condition-script", flags->conditionFile, "Script that prints start or stop")
      ->required();
  manifest->add_option("--start-script", flags->startFile, "Script that starts Harbor")->required();
  manifest->add_option("--stop-script", flags->stopFile, "Script that stops Harbor")->required();
  manifest
      ->add_option("--status-script", flags->statusFile,
                   "Script that prints started, stopped or unknown")
      ->required();
  manifest->add_option("--namespace,-n", flags->input.ns, "Namespace to run the watchdog in")
      ->capture_default_str();
  manifest->add_option("--name", flags->input.name, "Name of the watchdog's objects")
      ->capture_default_str();
  manifest->add_option("--image", flags->input.image, "harborrobot-agent image")
      ->capture_default_str();
  manifest
      ->add_option("--check-interval", flags->input.checkInterval,
                   "How often the condition script runs (Go duration)")
      ->capture_default_str();
  manifest
      ->add_option("--failure-threshold", flags->input.failureThreshold,
                   "Consecutive stop results before the stop script runs")
      ->capture_default_str();
  manifest
      ->add_option("--script-timeout", flags->input.scriptTimeout,
                   "Time limit of each script (Go duration)")
      ->capture_default_str();
  manifest->callback([flags, &exitCode] {
    for (const auto& [flag, path, target] :
         {std::tuple{"--condition-script", &flags->conditionFile, &flags->input.conditionScript},
          std::tuple{"--start-script", &flags->startFile, &flags->input.startScript},
          std::tuple{"--stop-script", &flags->stopFile, &flags->input.stopScript},
          std::tuple{"--status-script", &flags->statusFile, &flags->input.statusScript}}) {
      auto text = readFlagFile(flag, *path, "a readable script file");
      if (!text) {
        std::fprintf(stderr, "error: %s\n", text.error().message().c_str());
        exitCode = 1;
        return;
      }
      *target = std::move(*text);
    }
    auto rendered = failover::renderFailoverManifest(flags->input);
    if (!rendered) {
      std::fprintf(stderr, "error: %s\n", rendered.error().message().c_str());
      exitCode = 1;
      return;
    }
    std::fputs(rendered->c_str(), stdout);
  });
}

} // namespace harborrobot::cli

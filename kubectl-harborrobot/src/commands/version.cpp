// `kubectl harborrobot version`: the plugin's version and, unless --client, the
// versions the hub and the agents in the cluster run (from their images).
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "harborrobot/cli/output.h"
#include "install_manifests.h"

#include "harborrobot/cli/object_facts.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

struct VersionFlags {
  bool clientOnly = false;
  std::string output;
};

int run(CommandContext context, const VersionFlags& flags) {
  auto format = parseOutputFormat(flags.output);
  if (!format) {
    return context.session.fail(format.error());
  }
  kube::Json report = {{"clientVersion", HARBORROBOT_VERSION}};
  if (!flags.clientOnly) {
    auto client = context.session.client();
    if (!client) {
      return context.session.fail(client.error());
    }
    auto hub =
        (*client)->get(kube::resources::deployments(), wire::kSystemNamespace, wire::kHubName);
    if (!hub && hub.error().code() != ErrorCode::kNotFound) {
      return context.session.fail(hub.error());
    }
    if (hub) {
      report["hubVersion"] = imageTag(firstContainerImage(*hub));
    }
    kube::ListOptions options;
    options.labelSelector = "app.kubernetes.io/name=harborrobot-agent";
    auto agents = (*client)->list(kube::resources::deployments(), "", options);
    if (agents) {
      std::map<std::string, int> versions;
      for (const auto& item : agents->value("items", kube::Json::array())) {
        ++versions[imageTag(firstContainerImage(item))];
      }
      report["agentVersions"] = versions;
    }
  }
  if (*format != OutputFormat::kText) {
    std::fputs(formatObject(report, *format).c_str(), stdout);
    return 0;
  }
  std::printf("Client Version: %s\n", HARBORROBOT_VERSION);
  if (!flags.clientOnly) {
    std::printf("Hub Version: %s\n", report.contains("hubVersion")
                                         ? report["hubVersion"].get<std::string>().c_str()
                                         : "not installed");
    if (report.contains("agentVersions")) {
      std::string agents;
      for (const auto& [version, count] : report["agentVersions"].items()) {
        agents += fmt::format("{}{} ({} namespaces)", agents.empty() ? "" : ", ", version,
                              count.get<int>());
      }
      std::printf("Agent Versions: %s\n", agents.empty() ? "none" : agents.c_str());
    }
  }
  return 0;
}

} // namespace

void registerVersionCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<VersionFlags>();
  auto* command = app.add_subcommand("version", "Print the plugin, hub and agent versions");
  command->group("Other Commands");
  command->add_flag("--client", flags->clientOnly, "Only the plugin's version; no cluster access");
  command->add_option("-o,--output", flags->output, "yaml or json");
  command->callback([context, flags] { context.exitCode = run(context, *flags); });
}

} // namespace harborrobot::cli

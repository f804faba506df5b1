// `kubectl harborrobot bind` writes a HarborRobotBinding in exactly the Generator documentation's
// shape, checked by the core's parser before anything is sent. --dry-run -o yaml
// prints the very object that bind would apply.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "harborrobot/cli/output.h"
#include "install_manifests.h"

#include "harborrobot/cli/binding_request.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

struct BindFlags {
  BindingRequest request;
  bool dryRun = false;
  std::string output;
};

int runBind(CommandContext context, const BindFlags& flags) {
  auto& session = context.session;
  auto format = parseOutputFormat(flags.output);
  if (!format) {
    return session.fail(format.error());
  }
  auto binding = buildBinding(flags.request);
  if (!binding) {
    return session.fail(binding.error());
  }
  if (flags.dryRun) {
    std::fputs(
        formatObject(*binding, *format == OutputFormat::kText ? OutputFormat::kYaml : *format)
            .c_str(),
        stdout);
    return 0;
  }
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  kube::WriteOptions options;
  options.fieldManager = "kubectl-harborrobot";
  options.force = true;
  const bool existed = static_cast<bool>(
      (*client)->get(kube::resources::harborRobotBindings(), "", flags.request.name));
  auto written = (*client)->patch(kube::resources::harborRobotBindings(), "", flags.request.name,
                                  kube::PatchType::kApply, binding->dump(), options);
  if (!written) {
    return session.fail(written.error());
  }
  if (*format != OutputFormat::kText) {
    std::fputs(formatObject(*written, *format).c_str(), stdout);
    return 0;
  }
  std::printf("harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/%s %s\n",
              flags.request.name.c_str(), existed ? "configured" : "created");
  std::printf("Follow it with: kubectl harborrobot status %s\n", flags.request.name.c_str());
  return 0;
}

} // namespace

void registerBindCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<BindFlags>();
  auto* bind = app.add_subcommand(
      "bind", "Create or update a HarborRobotBinding (robot credentials for namespaces)");
  bind->group("Setup Commands");
  bind->add_option("name", flags->request.name, "The binding's name")->required();
  bind->add_option("--project", flags->request.project, "The Harbor project")->required();
  bind->add_option("--namespaces", flags->request.namespaces, "Target namespaces (comma-separated)")
      ->delimiter(',');
  bind->add_option("--selector", flags->request.selector,
                   "Target namespaces by label, as kubectl -l: k=v, k!=v, k in (a,b), k notin "
                   "(a), k, !k (comma-separated)");
  bind->add_option("--connection", flags->request.connection, "The connection Secret's name")
      ->capture_default_str();
  bind->add_option("--connection-namespace", flags->request.connectionNamespace,
                   "The connection Secret's namespace")
      ->capture_default_str();
  bind->add_option("--access", flags->request.access,
                   "pull, push or RESOURCE:ACTION (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  bind->add_option("--secret-name", flags->request.secretName,
                   "The generated pull Secret's name (default NAME-harbor-pull)");
  bind->add_option("--service-account", flags->request.serviceAccount,
                   "ServiceAccount to attach the Secret to; empty: none")
      ->capture_default_str();
  bind->add_option("--refresh", flags->request.refresh, "Rotation interval (Go duration)")
      ->capture_default_str();
  bind->add_flag("--dry-run", flags->dryRun, "Print the binding instead of applying it");
  bind->add_option("-o,--output", flags->output, "yaml or json");
  bind->callback([context, flags] { context.exitCode = runBind(context, *flags); });
}

} // namespace harborrobot::cli

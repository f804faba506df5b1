// `kubectl harborrobot bind` writes a HarborRobotBinding in exactly the Generator documentation's
// shape, checked by the core's parser before anything is sent. --dry-run -o yaml
// prints the very object that bind would apply.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "install_manifests.h"
#include "output.h"

#include "harborrobot/model/binding.h"
#include "harborrobot/model/label_selector.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

struct BindFlags {
  std::string name;
  std::string project;
  std::vector<std::string> namespaces;
  std::string selector;
  std::string connection = "harbor";
  std::string connectionNamespace = std::string(wire::kSystemNamespace);
  std::vector<std::string> access = {"pull"};
  std::string secretName;
  std::string serviceAccount = "default";
  std::string refresh = "6h";
  bool dryRun = false;
  std::string output;
};

// pull → repository:pull; push → repository:push; or RESOURCE:ACTION as Harbor
// names them (NOTES §4).
Result<kube::Json> accessList(const std::vector<std::string>& access) {
  kube::Json list = kube::Json::array();
  for (const auto& item : access) {
    std::string resource = "repository";
    std::string action = item;
    if (const auto colon = item.find(':'); colon != std::string::npos) {
      resource = item.substr(0, colon);
      action = item.substr(colon + 1);
    }
    if (!isValidProjectPermission(resource, action)) {
      return makeError(fieldError("--access", item, "is not a Harbor robot permission",
                                  "pull, push or RESOURCE:ACTION such as artifact:read"));
    }
    list.push_back({{"action", action}, {"resource", resource}});
  }
  return list;
}

// --selector as kubectl -l takes it ("team=a,env in (prod,staging),!legacy"), in the
// Generator documentation's structured form: matchLabels, and matchExpressions for
// what matchLabels cannot say.
Result<kube::Json> namespaceSelector(const std::string& text) {
  auto selector = parseLabelSelectorString(text, "--selector");
  if (!selector) {
    return makeError(selector.error());
  }
  if (selector->empty()) {
    // A binding's empty selector targets no namespace at all.
    return makeError(fieldError("--selector", text, "has no requirement",
                                "e.g. team=a or env in (prod,staging)"));
  }
  return labelSelectorToJson(*selector, "--selector");
}

Result<kube::Json> buildBinding(const BindFlags& flags) {
  if (flags.namespaces.empty() == flags.selector.empty()) {
    return makeError(fieldErrorWithoutValue("--namespaces/--selector", "need exactly one",
                                            "--namespaces a,b or --selector key=value"));
  }
  auto access = accessList(flags.access);
  if (!access) {
    return makeError(access.error());
  }
  kube::Json namespaces;
  if (!flags.namespaces.empty()) {
    namespaces["names"] = flags.namespaces;
  } else {
    auto selector = namespaceSelector(flags.selector);
    if (!selector) {
      return makeError(selector.error());
    }
    namespaces["selector"] = std::move(*selector);
  }
  kube::Json spec = {
      {"namespaces", namespaces},
      {"generatedSecret",
       {{"name", flags.secretName.empty() ? flags.name + "-harbor-pull" : flags.secretName}}},
      {"harbor",
       {{"project", flags.project},
        {"robot", {{"access", *access}}},
        {"secret", {{"name", flags.connection}, {"namespace", flags.connectionNamespace}}}}},
      {"refreshInterval", flags.refresh}};
  if (!flags.serviceAccount.empty()) {
    spec["serviceAccount"] = {{"name", flags.serviceAccount}};
  }
  kube::Json binding = {{"apiVersion", kBindingApiVersion},
                        {"kind", kBindingKind},
                        {"metadata", {{"name", flags.name}}},
                        {"spec", spec}};
  if (auto parsed = parseBinding(binding); !parsed) {
    return makeError(parsed.error());
  }
  return binding;
}

int runBind(CommandContext context, const BindFlags& flags) {
  auto& session = context.session;
  auto format = parseOutputFormat(flags.output);
  if (!format) {
    return session.fail(format.error());
  }
  auto binding = buildBinding(flags);
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
  const bool existed =
      static_cast<bool>((*client)->get(kube::resources::harborRobotBindings(), "", flags.name));
  auto written = (*client)->patch(kube::resources::harborRobotBindings(), "", flags.name,
                                  kube::PatchType::kApply, binding->dump(), options);
  if (!written) {
    return session.fail(written.error());
  }
  if (*format != OutputFormat::kText) {
    std::fputs(formatObject(*written, *format).c_str(), stdout);
    return 0;
  }
  std::printf("harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/%s %s\n",
              flags.name.c_str(), existed ? "configured" : "created");
  std::printf("Follow it with: kubectl harborrobot status %s\n", flags.name.c_str());
  return 0;
}

} // namespace

void registerBindCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<BindFlags>();
  auto* bind = app.add_subcommand(
      "bind", "Create or update a HarborRobotBinding (robot credentials for namespaces)");
  bind->group("Setup Commands");
  bind->add_option("name", flags->name, "The binding's name")->required();
  bind->add_option("--project", flags->project, "The Harbor project")->required();
  bind->add_option("--namespaces", flags->namespaces, "Target namespaces (comma-separated)")
      ->delimiter(',');
  bind->add_option("--selector", flags->selector,
                   "Target namespaces by label, as kubectl -l: k=v, k!=v, k in (a,b), k notin "
                   "(a), k, !k (comma-separated)");
  bind->add_option("--connection", flags->connection, "The connection Secret's name")
      ->capture_default_str();
  bind->add_option("--connection-namespace", flags->connectionNamespace,
                   "The connection Secret's namespace")
      ->capture_default_str();
  bind->add_option("--access", flags->access, "pull, push or RESOURCE:ACTION (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  bind->add_option("--secret-name", flags->secretName,
                   "The generated pull Secret's name (default NAME-harbor-pull)");
  bind->add_option("--service-account", flags->serviceAccount,
                   "ServiceAccount to attach the Secret to; empty: none")
      ->capture_default_str();
  bind->add_option("--refresh", flags->refresh, "Rotation interval (Go duration)")
      ->capture_default_str();
  bind->add_flag("--dry-run", flags->dryRun, "Print the binding instead of applying it");
  bind->add_option("-o,--output", flags->output, "yaml or json");
  bind->callback([context, flags] { context.exitCode = runBind(context, *flags); });
}

} // namespace harborrobot::cli

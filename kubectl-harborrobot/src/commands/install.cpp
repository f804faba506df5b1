// `kubectl harborrobot install` and `uninstall`. Install is server-side apply of
// the generated objects, so running it again upgrades in place; --dry-run prints
// them for GitOps instead. Uninstall refuses while bindings exist (their robots
// would be orphaned in Harbor) unless --delete-bindings lets the hub clean up
// first. No command ever deletes a Harbor project.
#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "harborrobot/cli/output.h"
#include "harborrobot/kube/resource.h"
#include "install_manifests.h"

#include "harborrobot/cli/object_facts.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(500);

struct InstallFlags {
  InstallOptions options;
  bool dryRun = false;
  bool rbacTable = false;
  std::string output = "yaml";
  bool wait = false;
  std::string timeout = "5m";
};

struct UninstallFlags {
  bool deleteBindings = false;
  std::string timeout = "5m";
};

Status apply(kube::Client& client, const kube::Json& object) {
  const auto type =
      kube::resources::typeOf(stringField(object, "apiVersion"), stringField(object, "kind"));
  if (!type) {
    return makeError(ErrorCode::kInternal, "no resource type for " + describeObject(object));
  }
  kube::WriteOptions options;
  options.fieldManager = "kubectl-harborrobot";
  options.force = true;
  const auto& metadata = object["metadata"];
  auto applied =
      client.patch(*type, stringField(metadata, "namespace"), stringField(metadata, "name"),
                   kube::PatchType::kApply, object.dump(), options);
  if (!applied) {
    return makeError(applied.error().withContext("applying " + describeObject(object)));
  }
  return ok();
}

// The CRD must be Established before bindings can be written, and the hub must
// have an available replica before it can verify anything.
Status waitReady(kube::Client& client, const Deadline& deadline) {
  while (true) {
    auto crd = client.get(kube::resources::customResourceDefinitions(), "", wire::kBindingCrdName);
    const bool established = crd && conditionTrue(*crd, "Established");
    auto hub = client.get(kube::resources::deployments(), wire::kSystemNamespace, wire::kHubName);
    const auto available = hub ? intField(objectField(*hub, "status"), "availableReplicas", 0) : 0;
    if (established && available >= 1) {
      std::printf("hub ready: %lld replica(s) available\n", static_cast<long long>(available));
      return ok();
    }
    if (deadline.passed()) {
      return makeError(ErrorCode::kDeadlineExceeded,
                       fmt::format("timed out waiting for the install: CRD {}, hub {} available "
                                   "replica(s); see kubectl harborrobot doctor",
                                   established ? "established" : "not established", available));
    }
    std::this_thread::sleep_for(kPoll);
  }
}

// Agents of earlier versions read the bindings through a ClusterRoleBinding
// each (harborrobot-agent:<namespace>). The hub may not delete
// ClusterRoleBindings, so an upgrade removes them with the admin's rights.
Status removeEarlierAgentReaders(kube::Client& client) {
  auto listed = client.list(kube::resources::clusterRoleBindings(), "",
                            {.labelSelector = wire::managedSelector(wire::kAgentName)});
  if (!listed) {
    return makeError(listed.error().withContext("listing earlier agents' ClusterRoleBindings"));
  }
  for (const auto& item : listed->value("items", kube::Json::array())) {
    const std::string name = stringField(objectField(item, "metadata"), "name");
    if (!name.starts_with("harborrobot-agent:")) {
      continue;
    }
    if (auto removed = client.remove(kube::resources::clusterRoleBindings(), "", name); !removed) {
      return makeError(removed.error().withContext("removing clusterrolebinding/" + name));
    }
    std::printf("clusterrolebinding/%s deleted (agents no longer read bindings)\n", name.c_str());
  }
  return ok();
}

// --timeout parsed and the API client made: what install and uninstall need
// before they change anything.
Result<std::pair<kube::Client*, std::chrono::milliseconds>> connect(Session& session,
                                                                    const std::string& timeout) {
  auto budget = parseDurationFlag("--timeout", timeout);
  if (!budget) {
    return makeError(budget.error());
  }
  auto client = session.client();
  if (!client) {
    return makeError(client.error());
  }
  return std::pair{*client, *budget};
}

int runInstall(CommandContext context, const InstallFlags& flags) {
  auto objects = installObjects(flags.options);
  if (!objects) {
    return context.session.fail(objects.error());
  }
  if (flags.rbacTable) {
    if (!flags.dryRun) {
      return context.session.fail(
          Error(ErrorCode::kInvalidArgument, "--rbac-table: only with --dry-run"));
    }
    std::fputs(install::rbacTable(*objects).c_str(), stdout);
    return 0;
  }
  if (flags.dryRun) {
    auto format = parseOutputFormat(flags.output);
    if (!format) {
      return context.session.fail(format.error());
    }
    std::fputs(
        formatObjects(*objects, *format == OutputFormat::kText ? OutputFormat::kYaml : *format)
            .c_str(),
        stdout);
    return 0;
  }
  auto connected = connect(context.session, flags.timeout);
  if (!connected) {
    return context.session.fail(connected.error());
  }
  auto& [client, timeout] = *connected;
  for (const auto& object : *objects) {
    if (auto status = apply(*client, object); !status) {
      return context.session.fail(status.error());
    }
    std::printf("%s applied\n", describeObject(object).c_str());
  }
  if (auto status = removeEarlierAgentReaders(*client); !status) {
    return context.session.fail(status.error());
  }
  if (flags.wait) {
    if (auto status = waitReady(*client, Deadline(timeout)); !status) {
      return context.session.fail(status.error());
    }
  }
  return 0;
}

int runUninstall(CommandContext context, const UninstallFlags& flags) {
  auto connected = connect(context.session, flags.timeout);
  if (!connected) {
    return context.session.fail(connected.error());
  }
  auto& [client, timeout] = *connected;
  auto& api = *client;
  const Deadline deadline(timeout);
  auto bindings = api.list(kube::resources::harborRobotBindings(), "");
  if (!bindings && bindings.error().code() != ErrorCode::kNotFound) {
    return context.session.fail(bindings.error());
  }
  const auto items = bindings ? bindings->value("items", kube::Json::array()) : kube::Json::array();
  if (!items.empty()) {
    if (!flags.deleteBindings) {
      std::string names;
      for (const auto& item : items) {
        names += (names.empty() ? "" : ", ") + stringField(objectField(item, "metadata"), "name");
      }
      return context.session.fail(Error(
          ErrorCode::kFailedPrecondition,
          fmt::format("{} HarborRobotBinding(s) exist ({}); deleting the hub now would leave "
                      "their robots in Harbor. Delete them first, or pass --delete-bindings to "
                      "let the hub clean up before it is removed",
                      items.size(), names)));
    }
    // The hub deletes each binding's robots and Secrets, then drops its finalizer.
    for (const auto& item : items) {
      const auto name = stringField(objectField(item, "metadata"), "name");
      if (auto removed = api.remove(kube::resources::harborRobotBindings(), "", name); !removed) {
        return context.session.fail(removed.error());
      }
      std::printf("harborrobotbinding/%s deleted\n", name.c_str());
    }
    while (true) {
      auto left = api.list(kube::resources::harborRobotBindings(), "");
      if (left && left->value("items", kube::Json::array()).empty()) {
        break;
      }
      if (deadline.passed()) {
        return context.session.fail(
            Error(ErrorCode::kDeadlineExceeded,
                  "timed out waiting for the hub to clean up the bindings' robots; the hub "
                  "is left installed (see kubectl harborrobot doctor)"));
      }
      std::this_thread::sleep_for(kPoll);
    }
  }
  auto objects = installObjects({});
  if (!objects) {
    return context.session.fail(objects.error());
  }
  // Reverse order: the hub stops before its RBAC goes; the namespace goes last.
  for (auto it = objects->rbegin(); it != objects->rend(); ++it) {
    const auto type =
        kube::resources::typeOf(stringField(*it, "apiVersion"), stringField(*it, "kind"));
    const auto& metadata = (*it)["metadata"];
    kube::DeleteOptions options;
    options.propagationPolicy = "Background";
    if (auto removed = api.remove(*type, stringField(metadata, "namespace"),
                                  stringField(metadata, "name"), options);
        !removed) {
      return context.session.fail(removed.error());
    }
    std::printf("%s deleted\n", describeObject(*it).c_str());
  }
  return 0;
}

} // namespace

void registerInstallCommands(CLI::App& app, CommandContext context) {
  auto install = std::make_shared<InstallFlags>();
  auto* command = app.add_subcommand(
      "install", "Install or upgrade the CRD, the hub and the RBAC of hub and agents");
  command->group("Cluster Commands");
  command->add_option("--image", install->options.image, "The harborrobot-agent image")
      ->capture_default_str();
  command
      ->add_option("--agents", install->options.agents,
                   "managed: the hub deploys one agent per target namespace; external: you do")
      ->capture_default_str();
  command->add_option("--replicas", install->options.replicas, "Hub replicas")
      ->capture_default_str()
      ->check(CLI::Range(1, 5));
  command->add_flag("--dry-run", install->dryRun,
                    "Print the objects instead of applying them (for GitOps)");
  command
      ->add_option("--allow-namespaces", install->options.allowNamespaces,
                   "Protected namespaces bindings may target after all (comma-separated): "
                   "kube-system, kube-public, kube-node-lease, harbor-robot-gen-system")
      ->delimiter(',');
  command->add_flag("--rbac-table", install->rbacTable,
                    "With --dry-run: print what the hub and an agent may do, as a Markdown table");
  command->add_option("-o,--output", install->output, "With --dry-run: yaml or json")
      ->capture_default_str();
  command->add_flag("--wait", install->wait,
                    "Wait until the CRD is established and the hub is available");
  command->add_option("--timeout", install->timeout, "How long --wait waits")
      ->capture_default_str();
  command->callback([context, install] { context.exitCode = runInstall(context, *install); });

  auto uninstall = std::make_shared<UninstallFlags>();
  auto* remove = app.add_subcommand(
      "uninstall", "Remove the hub, its RBAC and the CRD (never a Harbor project)");
  remove->group("Cluster Commands");
  remove->add_flag("--delete-bindings", uninstall->deleteBindings,
                   "Delete every HarborRobotBinding first and wait for the hub to remove their "
                   "robots and Secrets");
  remove->add_option("--timeout", uninstall->timeout, "How long to wait for that cleanup")
      ->capture_default_str();
  remove->callback([context, uninstall] { context.exitCode = runUninstall(context, *uninstall); });
}

} // namespace harborrobot::cli

// `kubectl harborrobot doctor [NAME]`: the checks a platform engineer would run
// by hand, in dependency order, each one line with OK/WARN/FAIL and, on FAIL, the
// fix. What needs Harbor or DNS is what the hub and agents verified inside the
// cluster (with its time); --local repeats the Harbor checks from this machine.
// A credential is decoded only to check it; nothing secret is ever printed.
#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "connection_verdict.h"
#include "install_manifests.h"

#include "harborrobot/cli/checklist.h"
#include "harborrobot/cli/object_facts.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/model/dockerconfig.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/registry/credential_check.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

struct DoctorFlags {
  std::string name;
  bool local = false;
};

// Harbor's token service, asked from here with the robot's credential: the
// same check the agents run.
Result<registry::CredentialCheck> tokenServiceCheck(const RegistryCredential& credential,
                                                    const kube::Json& binding,
                                                    const std::string& caPem) {
  auto parsed = parseBinding(binding);
  if (!parsed) {
    return makeError(parsed.error());
  }
  http::ClientOptions options;
  options.tls.caPem = caPem;
  http::HttpsClient http(std::move(options));
  return registry::checkCredential(http, {credential.registry, parsed->spec.project,
                                          credential.username, credential.password,
                                          registry::tokenVisibleActions(parsed->spec.access)});
}

void checkConnections(kube::Client& api, const DoctorFlags& flags, Checklist& checks) {
  kube::ListOptions options;
  options.labelSelector = std::string(kConnectionLabel) + "=true";
  auto secrets = api.list(kube::resources::secrets(), wire::kSystemNamespace, options);
  if (!secrets) {
    checks.fail("connections", secrets.error().message(),
                "the doctor needs to read Secrets in " + std::string(wire::kSystemNamespace));
    return;
  }
  const auto items = secrets->value("items", kube::Json::array());
  if (items.empty()) {
    checks.fail("connections", "no connection Secret",
                "kubectl harborrobot connect harbor --url … --username … --password-stdin");
  }
  for (const auto& secret : items) {
    const auto metadata = objectField(secret, "metadata");
    const std::string check = "connection " + stringField(metadata, "name");
    auto parsed = parseConnectionSecret(secret);
    if (!parsed) {
      checks.fail(check, parsed.error().message(), "fix the Secret; see README, connection keys");
      continue;
    }
    auto verdict =
        latestVerdict(api, std::string(wire::kSystemNamespace), stringField(metadata, "uid"), "");
    if (!verdict || !*verdict) {
      checks.fail(check, "the hub has not checked it", "is the hub running? see the hub check");
    } else if ((*verdict)->verified) {
      checks.ok(check, fmt::format("{} (checked by the hub at {})", (*verdict)->message,
                                   (*verdict)->time));
    } else {
      checks.fail(check,
                  fmt::format("{}: {} (hub, {})", (*verdict)->reason, (*verdict)->message,
                              (*verdict)->time),
                  "correct the URL, CA or an administrator's credentials: kubectl harborrobot "
                  "connect …");
    }
    if (flags.local) {
      const auto local = checkFromHere(parsed->url, parsed->username,
                                       std::string(parsed->password.reveal()), parsed->caPem);
      if (local.verified) {
        checks.ok(check + " (from here)", local.message);
      } else {
        checks.warn(check + " (from here)", local.reason + ": " + local.message,
                    "only this machine's view; the cluster's is the line above");
      }
    }
  }
}

void checkNamespace(kube::Client& api, const DoctorFlags& flags, const kube::Json& binding,
                    const kube::Json& entry, Checklist& checks) {
  const auto spec = objectField(binding, "spec");
  const auto name = stringField(objectField(binding, "metadata"), "name");
  const auto ns = stringField(entry, "name");
  const std::string where = fmt::format("{} in {}", name, ns);
  auto agent = api.get(kube::resources::deployments(), ns, "harborrobot-agent");
  if (agent && intField(objectField(*agent, "status"), "availableReplicas", 0) >= 1) {
    checks.ok("agent " + ns, "available");
  } else if (agent) {
    checks.fail("agent " + ns, "no available replica",
                fmt::format("kubectl -n {} describe deployment harborrobot-agent", ns));
  } else {
    checks.warn("agent " + ns, "no harborrobot-agent Deployment (external agents?)");
  }
  if (const auto error = stringField(entry, "lastError"); !error.empty()) {
    checks.fail("agent report " + where, error, "see kubectl harborrobot status " + name);
  }
  const auto connection = objectField(objectField(spec, "harbor"), "secret");
  const std::string secretName = stringField(objectField(spec, "generatedSecret"), "name");
  auto secret = api.get(kube::resources::secrets(), ns, secretName);
  if (!secret) {
    checks.fail("secret " + where, secret.error().message(),
                "the agent writes it; see the agent check above");
    return;
  }
  const auto json = base64Decode(stringField(objectField(*secret, "data"), ".dockerconfigjson"));
  const std::string registry = stringField(entry, "harbor");
  auto credential = json ? parseDockerConfigJson(*json, registry)
                         : Result<RegistryCredential>(makeError(ErrorCode::kInvalidArgument,
                                                                ".dockerconfigjson is not base64"));
  if (!credential) {
    checks.fail("secret " + where, credential.error().message(),
                "kubectl harborrobot rotate " + name + " -n " + ns);
    return;
  }
  checks.ok("secret " + where,
            fmt::format("decodes; robot {} for {}", credential->username, credential->registry));
  if (const auto verified = stringField(entry, "credentialVerifiedAt"); !verified.empty()) {
    checks.ok("credential " + where, "accepted by Harbor's token service at " + verified);
  } else if (!flags.local) {
    checks.warn("credential " + where, "not verified inside the cluster yet",
                "run with --local to ask Harbor's token service from here");
  }
  if (flags.local) {
    std::string caPem;
    if (auto conn = api.get(kube::resources::secrets(), stringField(connection, "namespace"),
                            stringField(connection, "name"))) {
      if (auto parsed = parseConnectionSecret(*conn)) {
        caPem = parsed->caPem;
      }
    }
    const auto check = tokenServiceCheck(*credential, binding, caPem);
    if (!check) {
      checks.warn("credential " + where + " (from here)", check.error().message(),
                  "check that this machine reaches Harbor and trusts its CA");
    } else if (check->accepted()) {
      checks.ok("credential " + where + " (from here)", check->detail);
    } else {
      checks.fail("credential " + where + " (from here)", check->detail,
                  "kubectl harborrobot rotate " + name + " -n " + ns);
    }
  }
  const auto saName = stringField(objectField(spec, "serviceAccount"), "name");
  if (!saName.empty()) {
    auto account = api.get(kube::resources::serviceAccounts(), ns, saName);
    bool attached = false;
    if (account) {
      for (const auto& item : account->value("imagePullSecrets", kube::Json::array())) {
        attached |= stringField(item, "name") == secretName;
      }
    }
    if (attached) {
      checks.ok("serviceaccount " + ns + "/" + saName, "lists " + secretName);
    } else {
      checks.fail("serviceaccount " + ns + "/" + saName,
                  account ? "does not list " + secretName : account.error().message(),
                  "the agent attaches it on its next pass; see its events");
    }
  }
}

void checkBinding(kube::Client& api, const DoctorFlags& flags, const kube::Json& binding,
                  Checklist& checks) {
  const auto name = stringField(objectField(binding, "metadata"), "name");
  const auto status = objectField(binding, "status");
  std::string reason;
  std::string message;
  bool ready = false;
  for (const auto& condition : status.value("conditions", kube::Json::array())) {
    if (stringField(condition, "type") == "Ready") {
      ready = stringField(condition, "status") == "True";
      reason = stringField(condition, "reason");
      message = stringField(condition, "message");
    }
  }
  if (ready) {
    checks.ok("binding " + name, "Ready");
  } else if (reason == "ProjectNotFound") {
    checks.fail("project of " + name, message,
                "create the project in Harbor, or set projectFieldsPath on the connection");
  } else {
    checks.fail("binding " + name, reason.empty() ? "no status yet" : reason + ": " + message,
                "kubectl harborrobot status " + name);
  }
  const auto metadata = objectField(binding, "metadata");
  auto records =
      hub::listCredentialRecords(api, stringField(metadata, "name"), stringField(metadata, "uid"));
  if (!records) {
    checks.fail("records of " + name, records.error().message(),
                "kubectl get harborrobotcredentials -A --field-selector metadata.name=" + name);
    return;
  }
  for (const auto& record : *records) {
    checkNamespace(api, flags, binding, hub::recordEntry(record), checks);
  }
  for (const auto& entry : status.value("notReadyNamespaces", kube::Json::array())) {
    const std::string ns = stringField(entry, "name");
    const bool recorded = std::any_of(records->begin(), records->end(),
                                      [&](const auto& record) { return record.state.name == ns; });
    if (!recorded) {
      checkNamespace(api, flags, binding,
                     {{"name", ns}, {"ready", false}, {"reason", stringField(entry, "reason")}},
                     checks);
    }
  }
}

int runDoctor(CommandContext context, const DoctorFlags& flags) {
  auto& session = context.session;
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  auto& api = **client;
  Checklist checks([&](std::string_view text,
                       std::string_view ansi) { return session.paint(text, ansi, stdout); },
                   [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stdout); });
  auto version = api.call("GET", "/version");
  if (!version) {
    checks.fail("api server", version.error().message(),
                "check --context/--kubeconfig and that the cluster is reachable");
    return kExitFailure;
  }
  checks.ok("api server",
            fmt::format("{} (context {})", api.config().server, session.selection().contextName));
  auto crd = api.get(kube::resources::customResourceDefinitions(), "", wire::kBindingCrdName);
  if (!crd || !conditionTrue(*crd, "Established")) {
    checks.fail("crd", crd ? "not established" : crd.error().message(),
                "kubectl harborrobot install --wait");
    return kExitFailure;
  }
  checks.ok("crd", std::string(wire::kBindingCrdName) + " established");
  auto hub = api.get(kube::resources::deployments(), wire::kSystemNamespace, wire::kHubName);
  const auto available = hub ? intField(objectField(*hub, "status"), "availableReplicas", 0) : 0;
  kube::ListOptions leaders;
  leaders.labelSelector = std::string(wire::kHubLeaderLabel) + "=true";
  auto leaderPods = api.list(kube::resources::pods(), wire::kSystemNamespace, leaders);
  const auto leaderCount = leaderPods ? leaderPods->value("items", kube::Json::array()).size() : 0;
  if (!hub) {
    checks.fail("hub", hub.error().message(), "kubectl harborrobot install --wait");
  } else if (available < 1 || leaderCount != 1) {
    checks.fail("hub", fmt::format("{} available replica(s), {} leader(s)", available, leaderCount),
                fmt::format("kubectl -n {} describe deployment {}", wire::kSystemNamespace,
                            wire::kHubName));
  } else {
    checks.ok("hub", fmt::format(
                         "{} available replica(s), leader {}", available,
                         stringField(objectField(leaderPods->at("items")[0], "metadata"), "name")));
  }
  checkConnections(api, flags, checks);
  if (!flags.name.empty()) {
    auto binding = api.get(kube::resources::harborRobotBindings(), "", flags.name);
    if (!binding) {
      checks.fail("binding " + flags.name, binding.error().message(), "kubectl harborrobot status");
    } else {
      checkBinding(api, flags, *binding, checks);
    }
  } else if (auto bindings = api.list(kube::resources::harborRobotBindings(), "")) {
    for (const auto& binding : bindings->value("items", kube::Json::array())) {
      checkBinding(api, flags, binding, checks);
    }
  }
  std::printf("%s\n", checks.verdict().c_str());
  return checks.failures() == 0 ? 0 : kExitFailure;
}

} // namespace

void registerDoctorCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<DoctorFlags>();
  auto* doctor = app.add_subcommand("doctor", "Check the install, connections and bindings");
  doctor->group("Operations Commands");
  doctor->add_option("name", flags->name, "Only this binding");
  doctor->add_flag("--local", flags->local,
                   "Also check Harbor (connections, credentials) from this machine");
  doctor->callback([context, flags] { context.exitCode = runDoctor(context, *flags); });
}

} // namespace harborrobot::cli

// `kubectl harborrobot connect` writes the Generator documentation's connection Secret (checked by
// the core's parser first) and reports the hub's verdict on it; `connections`
// lists them with their latest verdicts. The password is read from stdin only:
// a flag would leave it in shell history and the process list.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "connection_verdict.h"
#include "harborrobot/cli/output.h"
#include "install_manifests.h"

#include "harborrobot/cli/connection_request.h"
#include "harborrobot/cli/flag_files.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

namespace {

struct ConnectFlags {
  ConnectionRequest request;
  bool passwordStdin = false;
  std::string caFile;
  bool checkLocal = false;
  bool wait = true;
  std::string timeout = "30s";
  bool dryRun = false;
  std::string output;
};

std::string connectionNamespace(const Session& session) {
  return session.namespaceGiven() ? session.ns() : std::string(wire::kSystemNamespace);
}

void printVerdict(const Session& session, const ConnectionVerdict& verdict, std::string_view who) {
  const auto mark =
      verdict.verified ? session.paint("OK", "32", stdout) : session.paint("FAIL", "31", stdout);
  std::printf("%s  %s: %s%s%s\n", mark.c_str(), std::string(who).c_str(),
              verdict.verified ? "" : verdict.reason.c_str(), verdict.verified ? "" : ": ",
              verdict.message.c_str());
}

int runConnect(CommandContext context, const ConnectFlags& flags) {
  auto& session = context.session;
  auto timeout = parseDurationFlag("--timeout", flags.timeout);
  if (!timeout) {
    return session.fail(timeout.error());
  }
  auto format = parseOutputFormat(flags.output);
  if (!format) {
    return session.fail(format.error());
  }
  if (!flags.passwordStdin) {
    return session.fail(fieldErrorWithoutValue(
        "--password-stdin", "is required",
        "the Harbor password piped on stdin (a flag would leak it into shell history)"));
  }
  auto password = readPassword(std::cin, "--password-stdin");
  if (!password) {
    return session.fail(password.error());
  }
  std::string caPem;
  if (!flags.caFile.empty()) {
    auto read = readFlagFile("--ca-file", flags.caFile, "a PEM file");
    if (!read) {
      return session.fail(read.error());
    }
    caPem = std::move(*read);
  }
  const std::string ns = connectionNamespace(session);
  auto secret = buildConnectionSecret(flags.request, ns, *password, caPem);
  if (!secret) {
    return session.fail(secret.error());
  }
  if (flags.dryRun) {
    // The Secret is printed as it would be written, minus the password.
    kube::Json shown = *secret;
    shown["data"]["password"] = base64Encode("<from stdin, not shown>");
    std::fputs(
        formatObject(shown, *format == OutputFormat::kText ? OutputFormat::kYaml : *format).c_str(),
        stdout);
    return 0;
  }
  if (flags.checkLocal) {
    const auto local = checkFromHere(flags.request.url, flags.request.username, *password, caPem);
    printVerdict(session, local, "from this machine");
    if (!local.verified) {
      return kExitFailure;
    }
  }
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  auto& api = **client;
  const auto before = api.get(kube::resources::secrets(), ns, flags.request.name);
  if (before) {
    // A Secret's type is immutable: keep whatever type it was created with.
    (*secret)["type"] = stringField(*before, "type", "kubernetes.io/opaque");
  }
  const std::string writtenAt = formatRfc3339(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  kube::WriteOptions options;
  options.fieldManager = "kubectl-harborrobot";
  options.force = true;
  auto written = api.patch(kube::resources::secrets(), ns, flags.request.name,
                           kube::PatchType::kApply, secret->dump(), options);
  if (!written) {
    return session.fail(written.error().withContext(
        fmt::format("writing connection Secret {}/{}", ns, flags.request.name)));
  }
  const auto metadata = objectField(*written, "metadata");
  // Compared by content: what the hub parses is data, labels and annotations.
  const auto parsedPart = [](const kube::Json& secret) {
    const auto meta = objectField(secret, "metadata");
    return kube::Json{{"data", objectField(secret, "data")},
                      {"labels", objectField(meta, "labels")},
                      {"annotations", objectField(meta, "annotations")}};
  };
  const bool changed = !before || parsedPart(*before) != parsedPart(*written);
  std::printf("secret/%s %s in %s\n", flags.request.name.c_str(),
              !before   ? "created"
              : changed ? "configured"
                        : "unchanged",
              ns.c_str());
  if (!flags.wait) {
    return 0;
  }
  // An unchanged Secret is not checked again; its latest verdict stands.
  const std::string notBefore = changed ? writtenAt : std::string();
  const Deadline deadline(*timeout);
  while (true) {
    auto verdict = latestVerdict(api, ns, stringField(metadata, "uid"), notBefore);
    if (!verdict) {
      return session.fail(verdict.error());
    }
    if (*verdict) {
      printVerdict(session, **verdict, "the hub");
      return (*verdict)->verified ? 0 : kExitFailure;
    }
    if (deadline.passed()) {
      return session.fail(Error(ErrorCode::kDeadlineExceeded,
                                fmt::format("the hub gave no verdict on {}/{} within {}: is it "
                                            "installed and running? Try kubectl harborrobot "
                                            "doctor",
                                            ns, flags.request.name, flags.timeout)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int runConnections(CommandContext context, const std::string& output) {
  auto& session = context.session;
  auto format = parseOutputFormat(output);
  if (!format) {
    return session.fail(format.error());
  }
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  const std::string ns = connectionNamespace(session);
  kube::ListOptions options;
  options.labelSelector = std::string(kConnectionLabel) + "=true";
  auto secrets = (*client)->list(kube::resources::secrets(), ns, options);
  if (!secrets) {
    return session.fail(secrets.error());
  }
  std::vector<kube::Json> summaries;
  std::vector<std::vector<std::string>> rows;
  for (const auto& secret : secrets->value("items", kube::Json::array())) {
    const auto metadata = objectField(secret, "metadata");
    kube::Json summary = {{"name", stringField(metadata, "name")}, {"namespace", ns}};
    auto parsed = parseConnectionSecret(secret);
    if (parsed) {
      summary["url"] = parsed->url;
      summary["username"] = parsed->username;
      summary["alias"] = parsed->alias.value_or("");
      summary["aliasPolicy"] = parsed->alias ? parsed->aliasPolicy : "";
    } else {
      summary["invalid"] = parsed.error().message();
    }
    auto verdict = latestVerdict(**client, ns, stringField(metadata, "uid"), "");
    std::string verdictText = "<none yet>";
    if (verdict && *verdict) {
      summary["verdict"] = {{"verified", (*verdict)->verified},
                            {"reason", (*verdict)->reason},
                            {"message", (*verdict)->message},
                            {"time", (*verdict)->time}};
      verdictText = (*verdict)->reason;
    }
    rows.push_back({summary["name"], parsed ? parsed->url : "<invalid>",
                    parsed ? parsed->username : "", parsed ? parsed->alias.value_or("") : "",
                    verdictText, ageOf(stringField(metadata, "creationTimestamp"))});
    summaries.push_back(std::move(summary));
  }
  if (*format != OutputFormat::kText) {
    std::fputs(formatObject(summaries, *format).c_str(), stdout);
    return 0;
  }
  if (rows.empty()) {
    std::fprintf(stderr, "No connection Secrets found in %s namespace.\n", ns.c_str());
    return 0;
  }
  std::fputs(formatTable({"NAME", "URL", "USERNAME", "ALIAS", "VERDICT", "AGE"}, rows).c_str(),
             stdout);
  return 0;
}

} // namespace

void registerConnectCommands(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<ConnectFlags>();
  auto* connect = app.add_subcommand(
      "connect", "Write a Harbor connection Secret and report the hub's verdict on it");
  connect->group("Setup Commands");
  connect->add_option("name", flags->request.name, "The connection Secret's name")->required();
  connect->add_option("--url", flags->request.url, "Harbor's address, https://host[:port]")
      ->required();
  connect->add_option("--username", flags->request.username, "A Harbor administrator")->required();
  connect->add_flag("--password-stdin", flags->passwordStdin, "Read the password from stdin");
  connect->add_option("--ca-file", flags->caFile, "PEM CA that signed Harbor's certificate");
  connect->add_option("--project-fields-path", flags->request.projectFieldsPath,
                      "JSONPath over a Namespace giving its Harbor project name");
  connect->add_option("--alias", flags->request.alias,
                      "The alias address, e.g. https://harbor.example.com");
  connect->add_option("--alias-policy", flags->request.aliasPolicy,
                      "IfIPEqual, Always or another alias-policy plugin's name");
  connect->add_option("--alias-ips", flags->request.aliasIps, "Comma-separated IPs for IfIPEqual");
  connect->add_option("--alias-check-interval", flags->request.aliasCheckInterval,
                      "How often agents re-resolve the alias (Go duration)");
  connect->add_flag("--check-local", flags->checkLocal,
                    "First check Harbor from this machine (it may not reach Harbor at all)");
  connect->add_flag("!--no-wait", flags->wait, "Do not wait for the hub's verdict");
  connect->add_option("--timeout", flags->timeout, "How long to wait for the hub's verdict")
      ->capture_default_str();
  connect->add_flag("--dry-run", flags->dryRun, "Print the Secret (password hidden) instead");
  connect->add_option("-o,--output", flags->output, "With --dry-run: yaml or json");
  connect->callback([context, flags] { context.exitCode = runConnect(context, *flags); });

  auto output = std::make_shared<std::string>();
  auto* list = app.add_subcommand("connections", "List Harbor connections and their verdicts");
  list->group("Setup Commands");
  list->add_option("-o,--output", *output, "yaml or json");
  list->callback([context, output] { context.exitCode = runConnections(context, *output); });
}

} // namespace harborrobot::cli

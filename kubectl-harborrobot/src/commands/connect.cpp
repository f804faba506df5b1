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
#include "install_manifests.h"
#include "output.h"

#include "harborrobot/model/connection.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

namespace {

struct ConnectFlags {
  std::string name;
  std::string url;
  std::string username;
  bool passwordStdin = false;
  std::string caFile;
  std::string projectFieldsPath;
  std::string alias;
  std::string aliasPolicy;
  std::string aliasIps;
  std::string aliasCheckInterval;
  bool checkLocal = false;
  bool wait = true;
  std::string timeout = "30s";
  bool dryRun = false;
  std::string output;
};

std::string connectionNamespace(const Session& session) {
  return session.namespaceGiven() ? session.ns() : std::string(wire::kSystemNamespace);
}

Result<std::string> readAll(std::istream& in, std::string_view what) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  if (text.empty()) {
    return makeError(fieldErrorWithoutValue(what, "is empty", "the Harbor password on stdin"));
  }
  return text;
}

// The Secret is server-side applied with `data` (base64), not `stringData`:
// the apiserver folds stringData into data after field management, so an
// applier of stringData owns only stringData.* and a key it later leaves out
// (an alias, a CA) would stay in data for ever (NOTES §10; kubernetes#123843).
// Owning data.* makes a later `connect` without --alias remove the alias keys.
Result<kube::Json> buildSecret(const ConnectFlags& flags, const std::string& ns,
                               const std::string& password, const std::string& caPem) {
  kube::Json data = {{"url", base64Encode(flags.url)},
                     {"username", base64Encode(flags.username)},
                     {"password", base64Encode(password)}};
  for (const auto& [key, value] :
       {std::pair{"url.alias", &flags.alias}, std::pair{"url.alias.policy", &flags.aliasPolicy},
        std::pair{"url.alias.ips", &flags.aliasIps},
        std::pair{"url.alias.check.interval", &flags.aliasCheckInterval}}) {
    if (!value->empty()) {
      data[key] = base64Encode(*value);
    }
  }
  if (!caPem.empty()) {
    data["ca.crt"] = base64Encode(caPem);
  }
  kube::Json metadata = {
      {"name", flags.name}, {"namespace", ns}, {"labels", {{kConnectionLabel, "true"}}}};
  if (!flags.projectFieldsPath.empty()) {
    metadata["annotations"] = {{kProjectFieldsPathAnnotation, flags.projectFieldsPath}};
  }
  kube::Json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", metadata},
                       {"type", "kubernetes.io/opaque"},
                       {"data", data}};
  auto parsed = parseConnectionSecret(secret);
  if (!parsed) {
    return makeError(parsed.error());
  }
  return secret;
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
  auto password = readAll(std::cin, "--password-stdin");
  if (!password) {
    return session.fail(password.error());
  }
  std::string caPem;
  if (!flags.caFile.empty()) {
    std::ifstream in(flags.caFile, std::ios::binary);
    if (!in) {
      return session.fail(fieldError("--ca-file", flags.caFile, "cannot be read", "a PEM file"));
    }
    caPem.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string ns = connectionNamespace(session);
  auto secret = buildSecret(flags, ns, *password, caPem);
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
    const auto local = checkFromHere(flags.url, flags.username, *password, caPem);
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
  const auto before = api.get(kube::resources::secrets(), ns, flags.name);
  if (before) {
    // A Secret's type is immutable: keep whatever type it was created with.
    (*secret)["type"] = stringField(*before, "type", "kubernetes.io/opaque");
  }
  const std::string writtenAt = formatRfc3339(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  kube::WriteOptions options;
  options.fieldManager = "kubectl-harborrobot";
  options.force = true;
  auto written = api.patch(kube::resources::secrets(), ns, flags.name, kube::PatchType::kApply,
                           secret->dump(), options);
  if (!written) {
    return session.fail(written.error().withContext(
        fmt::format("writing connection Secret {}/{}", ns, flags.name)));
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
  std::printf("secret/%s %s in %s\n", flags.name.c_str(),
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
                                            ns, flags.name, flags.timeout)));
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
  connect->add_option("name", flags->name, "The connection Secret's name")->required();
  connect->add_option("--url", flags->url, "Harbor's address, https://host[:port]")->required();
  connect->add_option("--username", flags->username, "A Harbor administrator")->required();
  connect->add_flag("--password-stdin", flags->passwordStdin, "Read the password from stdin");
  connect->add_option("--ca-file", flags->caFile, "PEM CA that signed Harbor's certificate");
  connect->add_option("--project-fields-path", flags->projectFieldsPath,
                      "JSONPath over a Namespace giving its Harbor project name");
  connect->add_option("--alias", flags->alias,
                      "The alias address, e.g. https://harbor.example.com");
  connect->add_option("--alias-policy", flags->aliasPolicy, "IfIPEqual or Always");
  connect->add_option("--alias-ips", flags->aliasIps, "Comma-separated IPs for IfIPEqual");
  connect->add_option("--alias-check-interval", flags->aliasCheckInterval,
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

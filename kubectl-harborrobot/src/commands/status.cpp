// `kubectl harborrobot status [NAME]`: one binding in depth (conditions, each
// namespace, its Secret and ServiceAccount, recent events), in the manner of
// `cmctl status certificate`; without NAME a summary row per binding. -o json|yaml
// carries everything the text shows. Secret data is never read into the output:
// only the Secret's metadata and type.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "commands.h"
#include "output.h"

#include "harborrobot/hub/credential_records.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

namespace {

struct StatusFlags {
  std::string name;
  bool watch = false;
  std::string output;
};

// The Ready condition as the table and the report show it: Unknown until the hub
// has written one.
struct Readiness {
  std::string status = "Unknown";
  std::string reason;
  std::string message;
};

Readiness readinessOf(const reconcile::BindingStatus& status) {
  const reconcile::Condition* ready = status.condition("Ready");
  if (ready == nullptr) {
    return {};
  }
  return {ready->status.empty() ? "Unknown" : ready->status, ready->reason, ready->message};
}

std::string timeText(const std::optional<reconcile::TimePoint>& time, std::string absent = {}) {
  return time ? formatRfc3339(*time) : absent;
}

// The objects named `name` in every namespace, by namespace: one LIST rather
// than a GET per namespace, so a binding of a thousand namespaces is described
// in a few calls. Secret data is dropped as it arrives.
Result<std::map<std::string, kube::Json>>
byNamespace(kube::Client& client, const kube::ResourceType& type, const std::string& name) {
  kube::ListOptions options;
  options.fieldSelector = "metadata.name=" + name;
  auto listed = client.list(type, "", options);
  if (!listed) {
    return makeError(listed.error());
  }
  std::map<std::string, kube::Json> found;
  for (auto& item : (*listed)["items"]) {
    item.erase("data");
    item.erase("stringData");
    found.emplace(stringField(objectField(item, "metadata"), "namespace"), std::move(item));
  }
  return found;
}

// The binding's generated Secret and ServiceAccount in one namespace, as the
// cluster has them now (metadata only).
kube::Json namespaceObjects(const std::string& ns, const kube::Json& spec,
                            const Result<std::map<std::string, kube::Json>>& secrets,
                            const Result<std::map<std::string, kube::Json>>& accounts) {
  const std::string secretName = stringField(objectField(spec, "generatedSecret"), "name");
  const std::string saName = stringField(objectField(spec, "serviceAccount"), "name");
  kube::Json result = {{"secret", {{"name", secretName}}}};
  if (!secrets) {
    result["secret"]["exists"] = false;
    result["secret"]["error"] = secrets.error().message();
  } else if (const auto secret = secrets->find(ns); secret != secrets->end()) {
    const auto annotations = objectField(objectField(secret->second, "metadata"), "annotations");
    result["secret"]["exists"] = true;
    result["secret"]["type"] = stringField(secret->second, "type");
    result["secret"]["generation"] = stringField(annotations, wire::kGenerationAnnotation);
    result["secret"]["rotatedAt"] = stringField(annotations, wire::kRotatedAtAnnotation);
  } else {
    result["secret"]["exists"] = false;
  }
  if (!saName.empty()) {
    result["serviceAccount"] = {{"name", saName}, {"attached", false}};
    if (!accounts) {
      result["serviceAccount"]["error"] = accounts.error().message();
    } else if (const auto account = accounts->find(ns); account != accounts->end()) {
      bool attached = false;
      for (const auto& entry : account->second.value("imagePullSecrets", kube::Json::array())) {
        attached |= stringField(entry, "name") == secretName;
      }
      result["serviceAccount"]["attached"] = attached;
    } else {
      result["serviceAccount"]["error"] = fmt::format("serviceaccount {} not found", saName);
    }
  }
  return result;
}

Result<kube::Json> recentEvents(kube::Client& client, const std::string& name) {
  kube::ListOptions options;
  options.fieldSelector = "involvedObject.kind=HarborRobotBinding,involvedObject.name=" + name;
  auto events = client.list(kube::resources::events(), "", options);
  if (!events) {
    return makeError(events.error());
  }
  auto items = events->value("items", kube::Json::array());
  std::sort(items.begin(), items.end(), [](const kube::Json& a, const kube::Json& b) {
    return stringField(a, "lastTimestamp") < stringField(b, "lastTimestamp");
  });
  kube::Json recent = kube::Json::array();
  const std::size_t start = items.size() > 10 ? items.size() - 10 : 0;
  for (std::size_t i = start; i < items.size(); ++i) {
    recent.push_back({{"type", stringField(items[i], "type")},
                      {"reason", stringField(items[i], "reason")},
                      {"message", stringField(items[i], "message")},
                      {"count", intField(items[i], "count", 1)},
                      {"lastTimestamp", stringField(items[i], "lastTimestamp")}});
  }
  return recent;
}

Result<kube::Json> describeBinding(kube::Client& client, const kube::Json& binding) {
  const auto metadata = objectField(binding, "metadata");
  const auto spec = objectField(binding, "spec");
  const auto status = reconcile::parseBindingStatus(objectField(binding, "status"));
  const Readiness ready = readinessOf(status);
  kube::Json report = {
      {"name", stringField(metadata, "name")},
      {"ready", ready.status},
      {"reason", ready.reason},
      {"message", ready.message},
      {"project", stringField(objectField(spec, "harbor"), "project")},
      {"connection", objectField(objectField(spec, "harbor"), "secret")},
      {"access",
       objectField(objectField(spec, "harbor"), "robot").value("access", kube::Json::array())},
      {"refreshInterval", stringField(spec, "refreshInterval", "6h")},
      {"observedGeneration", status.observedGeneration},
      {"generation", intField(metadata, "generation", 0)},
      {"lastRefreshTime", timeText(status.lastRefreshTime)},
      {"nextRefreshTime", timeText(status.nextRefreshTime)},
      {"conditions", kube::Json::array()}};
  for (const auto& condition : status.conditions) {
    report["conditions"].push_back(reconcile::toJson(condition));
  }
  report["targetNamespaces"] = status.targetNamespaces;
  report["readyNamespaces"] = status.readyNamespaces;
  // Each namespace's state is its record; a target without one yet is among the
  // binding's not-ready namespaces.
  auto records = hub::listCredentialRecords(client, stringField(metadata, "name"),
                                            stringField(metadata, "uid"));
  if (!records) {
    return makeError(records.error());
  }
  std::map<std::string, kube::Json> entries;
  for (const auto& record : *records) {
    entries.emplace(record.state.name, hub::recordEntry(record));
  }
  for (const auto& entry : status.notReadyNamespaces) {
    if (!entries.contains(entry.name)) {
      entries.emplace(entry.name,
                      kube::Json{{"name", entry.name}, {"ready", false}, {"reason", entry.reason}});
    }
  }
  const auto secrets = byNamespace(client, kube::resources::secrets(),
                                   stringField(objectField(spec, "generatedSecret"), "name"));
  const std::string saName = stringField(objectField(spec, "serviceAccount"), "name");
  const auto accounts = saName.empty()
                            ? Result<std::map<std::string, kube::Json>>{}
                            : byNamespace(client, kube::resources::serviceAccounts(), saName);
  kube::Json namespaces = kube::Json::array();
  for (auto& [ns, item] : entries) {
    item.update(namespaceObjects(ns, spec, secrets, accounts));
    namespaces.push_back(std::move(item));
  }
  report["namespaces"] = namespaces;
  auto events = recentEvents(client, report["name"]);
  report["events"] = events ? *events : kube::Json::array();
  return report;
}

std::string yesNo(const kube::Json& object, std::string_view key) {
  return boolField(object, key, false) ? "yes" : "no";
}

void printReport(const Session& session, const kube::Json& report) {
  const std::string ready = report["ready"];
  const auto colour = ready == "True" ? "32" : ready == "False" ? "31" : "33";
  std::printf("Name:            %s\n", report["name"].get<std::string>().c_str());
  std::printf("Ready:           %s", session.paint(ready, colour, stdout).c_str());
  if (!report["reason"].get<std::string>().empty()) {
    std::printf(" (%s)", report["reason"].get<std::string>().c_str());
  }
  std::printf("\n");
  if (!report["message"].get<std::string>().empty()) {
    std::printf("Message:         %s\n", report["message"].get<std::string>().c_str());
  }
  std::string access;
  for (const auto& item : report["access"]) {
    access += fmt::format("{}{}:{}", access.empty() ? "" : ", ", stringField(item, "resource"),
                          stringField(item, "action"));
  }
  std::printf("Project:         %s\n", report["project"].get<std::string>().c_str());
  std::printf("Connection:      %s/%s\n", stringField(report["connection"], "namespace").c_str(),
              stringField(report["connection"], "name").c_str());
  std::printf("Access:          %s\n", access.c_str());
  std::printf("Refresh:         every %s; last %s, next %s\n",
              report["refreshInterval"].get<std::string>().c_str(),
              stringField(report, "lastRefreshTime", "-").c_str(),
              stringField(report, "nextRefreshTime", "-").c_str());
  if (report["observedGeneration"] != report["generation"]) {
    std::printf("Generation:      %lld (the hub has seen %lld; a change is in progress)\n",
                report["generation"].get<long long>(),
                report["observedGeneration"].get<long long>());
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : report["namespaces"]) {
    const auto secret = objectField(item, "secret");
    const auto account = objectField(item, "serviceAccount");
    std::string problem = stringField(item, "lastError", stringField(item, "reason"));
    rows.push_back(
        {stringField(item, "name"), boolField(item, "ready", false) ? "True" : "False",
         stringField(item, "robotName", "-"),
         boolField(secret, "exists", false) ? stringField(secret, "generation", "?") : "missing",
         stringField(item, "lastRefreshTime", "-"), stringField(item, "nextRefreshTime", "-"),
         item.contains("aliasActive") ? yesNo(item, "aliasActive") : "-",
         account.empty() ? "-"
                         : (boolField(account, "attached", false) ? "attached" : "NOT attached"),
         problem.empty() ? "-" : problem});
  }
  std::printf("Namespaces:      %lld ready of %lld\n",
              static_cast<long long>(intField(report, "readyNamespaces", 0)),
              static_cast<long long>(intField(report, "targetNamespaces", 0)));
  if (!rows.empty()) {
    std::string table = formatTable({"NAMESPACE", "READY", "ROBOT", "SECRET GEN", "LAST REFRESH",
                                     "NEXT REFRESH", "ALIAS", "SERVICEACCOUNT", "PROBLEM"},
                                    rows);
    for (std::size_t start = 0; start < table.size();) {
      const auto end = table.find('\n', start);
      std::printf("  %s\n", table.substr(start, end - start).c_str());
      start = end + 1;
    }
  }
  std::printf("Events:%s\n", report["events"].empty() ? "          <none>" : "");
  for (const auto& event : report["events"]) {
    std::printf("  %-8s %-24s %s (x%lld, %s ago)\n", stringField(event, "type").c_str(),
                stringField(event, "reason").c_str(), stringField(event, "message").c_str(),
                static_cast<long long>(intField(event, "count", 1)),
                ageOf(stringField(event, "lastTimestamp")).c_str());
  }
}

int printAll(CommandContext context, kube::Client& client, OutputFormat format) {
  auto bindings = client.list(kube::resources::harborRobotBindings(), "");
  if (!bindings) {
    return context.session.fail(bindings.error());
  }
  std::vector<kube::Json> reports;
  std::vector<std::vector<std::string>> rows;
  for (const auto& binding : bindings->value("items", kube::Json::array())) {
    const auto status = reconcile::parseBindingStatus(objectField(binding, "status"));
    const Readiness ready = readinessOf(status);
    const auto name = stringField(objectField(binding, "metadata"), "name");
    rows.push_back({name, ready.status,
                    fmt::format("{}/{}", status.readyNamespaces, status.targetNamespaces),
                    stringField(objectField(objectField(binding, "spec"), "harbor"), "project"),
                    timeText(status.lastRefreshTime, "-"), timeText(status.nextRefreshTime, "-"),
                    ready.reason.empty() ? "-" : ready.reason,
                    ageOf(stringField(objectField(binding, "metadata"), "creationTimestamp"))});
    reports.push_back({{"name", name},
                       {"ready", ready.status},
                       {"reason", ready.reason},
                       {"namespacesReady", status.readyNamespaces},
                       {"namespaces", status.targetNamespaces},
                       {"lastRefreshTime", timeText(status.lastRefreshTime)},
                       {"nextRefreshTime", timeText(status.nextRefreshTime)}});
  }
  if (format != OutputFormat::kText) {
    std::fputs(formatObject(reports, format).c_str(), stdout);
    return 0;
  }
  if (rows.empty()) {
    std::fprintf(stderr, "No HarborRobotBindings found.\n");
    return 0;
  }
  std::fputs(formatTable({"NAME", "READY", "NAMESPACES", "PROJECT", "LAST REFRESH", "NEXT REFRESH",
                          "REASON", "AGE"},
                         rows)
                 .c_str(),
             stdout);
  return 0;
}

int printOne(CommandContext context, kube::Client& client, const kube::Json& binding,
             OutputFormat format) {
  auto report = describeBinding(client, binding);
  if (!report) {
    return context.session.fail(report.error());
  }
  if (format != OutputFormat::kText) {
    std::fputs(formatObject(*report, format).c_str(), stdout);
  } else {
    printReport(context.session, *report);
  }
  std::fflush(stdout);
  return 0;
}

int runStatus(CommandContext context, const StatusFlags& flags) {
  auto& session = context.session;
  auto format = parseOutputFormat(flags.output);
  if (!format) {
    return session.fail(format.error());
  }
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  if (flags.name.empty()) {
    return printAll(context, **client, *format);
  }
  auto binding = (*client)->get(kube::resources::harborRobotBindings(), "", flags.name);
  if (!binding) {
    return session.fail(binding.error());
  }
  if (const int code = printOne(context, **client, *binding, *format); code != 0 || !flags.watch) {
    return code;
  }
  // -w: print again on every change of the binding until interrupted.
  std::string resourceVersion = stringField(objectField(*binding, "metadata"), "resourceVersion");
  while (true) {
    kube::WatchOptions options;
    options.resourceVersion = resourceVersion;
    options.fieldSelector = "metadata.name=" + flags.name;
    int code = 0;
    bool deleted = false;
    auto ended = (*client)->watch(
        kube::resources::harborRobotBindings(), "", options, [&](const kube::WatchEvent& event) {
          if (event.type == "BOOKMARK") {
            resourceVersion = stringField(objectField(event.object, "metadata"), "resourceVersion");
            return true;
          }
          resourceVersion = stringField(objectField(event.object, "metadata"), "resourceVersion");
          if (*format == OutputFormat::kText) {
            std::printf("\n");
          }
          if (event.type == "DELETED") {
            deleted = true;
            std::printf("harborrobotbinding %s deleted\n", flags.name.c_str());
            return false;
          }
          code = printOne(context, **client, event.object, *format);
          return code == 0;
        });
    if (!ended) {
      return session.fail(ended.error());
    }
    if (code != 0 || deleted) {
      return code;
    }
    if (ended->expired) {
      auto fresh = (*client)->get(kube::resources::harborRobotBindings(), "", flags.name);
      if (!fresh) {
        return session.fail(fresh.error());
      }
      resourceVersion = stringField(objectField(*fresh, "metadata"), "resourceVersion");
    } else if (!ended->lastResourceVersion.empty()) {
      resourceVersion = ended->lastResourceVersion;
    }
  }
}

} // namespace

void registerStatusCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<StatusFlags>();
  auto* status = app.add_subcommand("status", "Show bindings, their namespaces and events");
  status->group("Operations Commands");
  status->add_option("name", flags->name, "A binding; without it, every binding in a table");
  status->add_flag("-w,--watch", flags->watch, "Print again whenever the binding changes");
  status->add_option("-o,--output", flags->output, "yaml or json");
  status->callback([context, flags] { context.exitCode = runStatus(context, *flags); });
}

} // namespace harborrobot::cli

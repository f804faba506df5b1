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
#include "harborrobot/cli/output.h"

#include "harborrobot/cli/binding_report.h"
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

Result<kube::Json> eventsOf(kube::Client& client, const std::string& name) {
  kube::ListOptions options;
  options.fieldSelector = "involvedObject.kind=HarborRobotBinding,involvedObject.name=" + name;
  auto events = client.list(kube::resources::events(), "", options);
  if (!events) {
    return makeError(events.error());
  }
  return cli::recentEvents(*events);
}

Result<kube::Json> describeBinding(kube::Client& client, const kube::Json& binding) {
  const auto metadata = objectField(binding, "metadata");
  const auto spec = objectField(binding, "spec");
  auto records = hub::listCredentialRecords(client, stringField(metadata, "name"),
                                            stringField(metadata, "uid"));
  if (!records) {
    return makeError(records.error());
  }
  BindingReadings readings;
  readings.binding = binding;
  readings.records = std::move(*records);
  readings.secrets = byNamespace(client, kube::resources::secrets(),
                                 stringField(objectField(spec, "generatedSecret"), "name"));
  if (const std::string account = stringField(objectField(spec, "serviceAccount"), "name");
      !account.empty()) {
    readings.accounts = byNamespace(client, kube::resources::serviceAccounts(), account);
  }
  auto events = eventsOf(client, stringField(metadata, "name"));
  readings.events = events ? *events : kube::Json::array();
  return bindingReport(readings);
}

int printAll(CommandContext context, kube::Client& client, OutputFormat format) {
  auto bindings = client.list(kube::resources::harborRobotBindings(), "");
  if (!bindings) {
    return context.session.fail(bindings.error());
  }
  std::vector<kube::Json> reports;
  std::vector<std::vector<std::string>> rows;
  for (const auto& binding : bindings->value("items", kube::Json::array())) {
    auto summary = summarizeBinding(binding);
    rows.push_back(std::move(summary.row));
    reports.push_back(std::move(summary.entry));
  }
  if (format != OutputFormat::kText) {
    std::fputs(formatObject(reports, format).c_str(), stdout);
    return 0;
  }
  if (rows.empty()) {
    std::fprintf(stderr, "No HarborRobotBindings found.\n");
    return 0;
  }
  std::fputs(formatTable(kSummaryHeaders, rows).c_str(), stdout);
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
    const auto& session = context.session;
    std::fputs(formatBindingReport(*report,
                                   [&](std::string_view text, std::string_view ansi) {
                                     return session.paint(text, ansi, stdout);
                                   })
                   .c_str(),
               stdout);
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

#include "harborrobot/cli/binding_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/cli/output.h"
#include "harborrobot/hub/credential_records.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

Readiness readinessOf(const reconcile::BindingStatus& status) {
  const reconcile::Condition* ready = status.condition("Ready");
  if (ready == nullptr) {
    return {};
  }
  return {ready->status.empty() ? "Unknown" : ready->status, ready->reason, ready->message};
}

namespace {

std::string timeText(const std::optional<reconcile::TimePoint>& time, std::string absent = {}) {
  return time ? formatRfc3339(*time) : absent;
}

std::string yesNo(const nlohmann::json& object, std::string_view key) {
  return boolField(object, key, false) ? "yes" : "no";
}

} // namespace

nlohmann::json namespaceObjects(const std::string& ns, const nlohmann::json& spec,
                                const ObjectsByNamespace& secrets,
                                const ObjectsByNamespace& accounts) {
  const std::string secretName = stringField(objectField(spec, "generatedSecret"), "name");
  const std::string saName = stringField(objectField(spec, "serviceAccount"), "name");
  nlohmann::json result = {{"secret", {{"name", secretName}}}};
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
      for (const auto& entry : account->second.value("imagePullSecrets", nlohmann::json::array())) {
        attached |= stringField(entry, "name") == secretName;
      }
      result["serviceAccount"]["attached"] = attached;
    } else {
      result["serviceAccount"]["error"] = fmt::format("serviceaccount {} not found", saName);
    }
  }
  return result;
}

nlohmann::json recentEvents(const nlohmann::json& eventList, std::size_t most) {
  auto items = eventList.value("items", nlohmann::json::array());
  std::sort(items.begin(), items.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return stringField(a, "lastTimestamp") < stringField(b, "lastTimestamp");
  });
  nlohmann::json recent = nlohmann::json::array();
  const std::size_t start = items.size() > most ? items.size() - most : 0;
  for (std::size_t i = start; i < items.size(); ++i) {
    recent.push_back({{"type", stringField(items[i], "type")},
                      {"reason", stringField(items[i], "reason")},
                      {"message", stringField(items[i], "message")},
                      {"count", intField(items[i], "count", 1)},
                      {"lastTimestamp", stringField(items[i], "lastTimestamp")}});
  }
  return recent;
}

nlohmann::json bindingReport(const BindingReadings& readings) {
  const auto& binding = readings.binding;
  const auto metadata = objectField(binding, "metadata");
  const auto spec = objectField(binding, "spec");
  const auto status = reconcile::parseBindingStatus(objectField(binding, "status"));
  const Readiness ready = readinessOf(status);
  nlohmann::json report = {
      {"name", stringField(metadata, "name")},
      {"ready", ready.status},
      {"reason", ready.reason},
      {"message", ready.message},
      {"project", stringField(objectField(spec, "harbor"), "project")},
      {"connection", objectField(objectField(spec, "harbor"), "secret")},
      {"access",
       objectField(objectField(spec, "harbor"), "robot").value("access", nlohmann::json::array())},
      {"refreshInterval", stringField(spec, "refreshInterval", "6h")},
      {"observedGeneration", status.observedGeneration},
      {"generation", intField(metadata, "generation", 0)},
      {"lastRefreshTime", timeText(status.lastRefreshTime)},
      {"nextRefreshTime", timeText(status.nextRefreshTime)},
      {"conditions", nlohmann::json::array()}};
  for (const auto& condition : status.conditions) {
    report["conditions"].push_back(reconcile::toJson(condition));
  }
  report["targetNamespaces"] = status.targetNamespaces;
  report["readyNamespaces"] = status.readyNamespaces;
  // Each namespace's state is its record; a target without one yet is among the
  // binding's not-ready namespaces.
  std::map<std::string, nlohmann::json> entries;
  for (const auto& record : readings.records) {
    entries.emplace(record.state.name, hub::recordEntry(record));
  }
  for (const auto& entry : status.notReadyNamespaces) {
    if (!entries.contains(entry.name)) {
      entries.emplace(
          entry.name,
          nlohmann::json{{"name", entry.name}, {"ready", false}, {"reason", entry.reason}});
    }
  }
  nlohmann::json namespaces = nlohmann::json::array();
  for (auto& [ns, item] : entries) {
    item.update(namespaceObjects(ns, spec, readings.secrets, readings.accounts));
    namespaces.push_back(std::move(item));
  }
  report["namespaces"] = namespaces;
  report["events"] = readings.events;
  return report;
}

std::string formatBindingReport(const nlohmann::json& report, const Painter& paint) {
  std::string text;
  auto out = std::back_inserter(text);
  const std::string ready = stringField(report, "ready");
  const auto colour = ready == "True" ? "32" : ready == "False" ? "31" : "33";
  fmt::format_to(out, "Name:            {}\n", stringField(report, "name"));
  fmt::format_to(out, "Ready:           {}", paint(ready, colour));
  if (const std::string reason = stringField(report, "reason"); !reason.empty()) {
    fmt::format_to(out, " ({})", reason);
  }
  text += "\n";
  if (const std::string message = stringField(report, "message"); !message.empty()) {
    fmt::format_to(out, "Message:         {}\n", message);
  }
  std::string access;
  for (const auto& item : report.value("access", nlohmann::json::array())) {
    access += fmt::format("{}{}:{}", access.empty() ? "" : ", ", stringField(item, "resource"),
                          stringField(item, "action"));
  }
  const auto connection = objectField(report, "connection");
  fmt::format_to(out, "Project:         {}\n", stringField(report, "project"));
  fmt::format_to(out, "Connection:      {}/{}\n", stringField(connection, "namespace"),
                 stringField(connection, "name"));
  fmt::format_to(out, "Access:          {}\n", access);
  // A binding never refreshed has empty times in the report: "-" here, as in
  // the namespaces' table.
  const auto timeOrDash = [&](std::string_view key) {
    const std::string time = stringField(report, key);
    return time.empty() ? std::string("-") : time;
  };
  fmt::format_to(out, "Refresh:         every {}; last {}, next {}\n",
                 stringField(report, "refreshInterval"), timeOrDash("lastRefreshTime"),
                 timeOrDash("nextRefreshTime"));
  if (report.value("observedGeneration", nlohmann::json()) !=
      report.value("generation", nlohmann::json())) {
    fmt::format_to(out, "Generation:      {} (the hub has seen {}; a change is in progress)\n",
                   intField(report, "generation", 0), intField(report, "observedGeneration", 0));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : report.value("namespaces", nlohmann::json::array())) {
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
  fmt::format_to(out, "Namespaces:      {} ready of {}\n", intField(report, "readyNamespaces", 0),
                 intField(report, "targetNamespaces", 0));
  if (!rows.empty()) {
    const std::string table =
        formatTable({"NAMESPACE", "READY", "ROBOT", "SECRET GEN", "LAST REFRESH", "NEXT REFRESH",
                     "ALIAS", "SERVICEACCOUNT", "PROBLEM"},
                    rows);
    for (std::size_t start = 0; start < table.size();) {
      const auto end = table.find('\n', start);
      fmt::format_to(out, "  {}\n", table.substr(start, end - start));
      start = end + 1;
    }
  }
  const auto events = report.value("events", nlohmann::json::array());
  fmt::format_to(out, "Events:{}\n", events.empty() ? "          <none>" : "");
  for (const auto& event : events) {
    fmt::format_to(out, "  {:<8} {:<24} {} (x{}, {} ago)\n", stringField(event, "type"),
                   stringField(event, "reason"), stringField(event, "message"),
                   intField(event, "count", 1), ageOf(stringField(event, "lastTimestamp")));
  }
  return text;
}

BindingSummary summarizeBinding(const nlohmann::json& binding) {
  const auto metadata = objectField(binding, "metadata");
  const auto status = reconcile::parseBindingStatus(objectField(binding, "status"));
  const Readiness ready = readinessOf(status);
  const auto name = stringField(metadata, "name");
  BindingSummary summary;
  summary.row = {name,
                 ready.status,
                 fmt::format("{}/{}", status.readyNamespaces, status.targetNamespaces),
                 stringField(objectField(objectField(binding, "spec"), "harbor"), "project"),
                 timeText(status.lastRefreshTime, "-"),
                 timeText(status.nextRefreshTime, "-"),
                 ready.reason.empty() ? "-" : ready.reason,
                 ageOf(stringField(metadata, "creationTimestamp"))};
  summary.entry = {{"name", name},
                   {"ready", ready.status},
                   {"reason", ready.reason},
                   {"namespacesReady", status.readyNamespaces},
                   {"namespaces", status.targetNamespaces},
                   {"lastRefreshTime", timeText(status.lastRefreshTime)},
                   {"nextRefreshTime", timeText(status.nextRefreshTime)}};
  return summary;
}

} // namespace harborrobot::cli

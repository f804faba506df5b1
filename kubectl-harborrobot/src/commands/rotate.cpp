// `kubectl harborrobot rotate NAME [-n NS | --all] [--wait]`: asks the hub for a
// new robot now, through an annotation on the binding that the hub and agents
// watch (harborrobot.io/rotate-requested-at, or NAMESPACE.rotate.harborrobot.io/
// requested-at for one namespace: model/rotate_annotation.h). With --wait it waits
// until every asked namespace reports a refresh after the request, and if one
// does not, says why from what the hub and the agent reported.
#include <cstdio>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.h"
#include "harborrobot/cli/output.h"

#include "harborrobot/hub/credential_records.h"
#include "harborrobot/model/rotate_annotation.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

namespace {

struct RotateFlags {
  std::string name;
  bool all = false;
  bool wait = false;
  std::string timeout = "2m";
};

// Each namespace's state (its record), and the not-ready targets that have none yet.
Result<std::vector<kube::Json>> recordEntries(kube::Client& api, const kube::Json& binding) {
  const auto metadata = objectField(binding, "metadata");
  auto records =
      hub::listCredentialRecords(api, stringField(metadata, "name"), stringField(metadata, "uid"));
  if (!records) {
    return makeError(records.error());
  }
  std::vector<kube::Json> entries;
  std::set<std::string> seen;
  for (const auto& record : *records) {
    seen.insert(record.state.name);
    entries.push_back(hub::recordEntry(record));
  }
  for (const auto& entry :
       objectField(binding, "status").value("notReadyNamespaces", kube::Json::array())) {
    if (const std::string ns = stringField(entry, "name"); !ns.empty() && !seen.contains(ns)) {
      entries.push_back({{"name", ns}, {"ready", false}, {"reason", stringField(entry, "reason")}});
    }
  }
  return entries;
}

int runRotate(CommandContext context, const RotateFlags& flags) {
  auto& session = context.session;
  auto timeout = parseDurationFlag("--timeout", flags.timeout);
  if (!timeout) {
    return session.fail(timeout.error());
  }
  if (flags.all == session.namespaceGiven()) {
    return session.fail(fieldErrorWithoutValue("-n/--all", "need exactly one",
                                               "-n NAMESPACE for one namespace, or --all"));
  }
  auto client = session.client();
  if (!client) {
    return session.fail(client.error());
  }
  auto& api = **client;
  auto binding = api.get(kube::resources::harborRobotBindings(), "", flags.name);
  if (!binding) {
    return session.fail(binding.error());
  }
  auto recorded = recordEntries(api, *binding);
  if (!recorded) {
    return session.fail(recorded.error());
  }
  std::set<std::string> targets;
  for (const auto& entry : *recorded) {
    targets.insert(stringField(entry, "name"));
  }
  if (!flags.all && !targets.contains(session.ns())) {
    return session.fail(Error(
        ErrorCode::kNotFound,
        fmt::format("namespace {} is not a target of binding {} (its targets: {}); nothing to "
                    "rotate",
                    session.ns(), flags.name,
                    targets.empty() ? "none yet" : fmt::format("{}", fmt::join(targets, ", ")))));
  }
  if (!flags.all) {
    targets = {session.ns()};
  }
  // Whole seconds: the hub compares it with refresh times of that precision, and
  // a request counts only when later than the last refresh, so a refresh in this
  // very second means waiting for the next one.
  std::chrono::system_clock::time_point latestRefresh{};
  for (const auto& entry : *recorded) {
    if (targets.contains(stringField(entry, "name"))) {
      if (auto when = parseRfc3339(stringField(entry, "lastRefreshTime"), "lastRefreshTime");
          when && *when > latestRefresh) {
        latestRefresh = *when;
      }
    }
  }
  auto requested =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (requested <= latestRefresh) {
    std::this_thread::sleep_until(latestRefresh + std::chrono::milliseconds(1100));
    requested =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  const std::string requestedText = formatRfc3339(requested);
  const std::string key =
      flags.all ? std::string(kRotateAllAnnotation) : rotateAnnotationFor(session.ns());
  const kube::Json patch = {{"metadata", {{"annotations", {{key, requestedText}}}}}};
  kube::WriteOptions options;
  options.fieldManager = "kubectl-harborrobot";
  auto patched = api.patch(kube::resources::harborRobotBindings(), "", flags.name,
                           kube::PatchType::kMerge, patch.dump(), options);
  if (!patched) {
    return session.fail(patched.error());
  }
  std::printf("rotation requested for %s in %s at %s\n", flags.name.c_str(),
              flags.all ? "every namespace" : session.ns().c_str(), requestedText.c_str());
  if (!flags.wait) {
    return 0;
  }
  const Deadline deadline(*timeout);
  std::set<std::string> done;
  while (true) {
    auto current = api.get(kube::resources::harborRobotBindings(), "", flags.name);
    if (!current) {
      return session.fail(current.error());
    }
    auto entries = recordEntries(api, *current);
    if (!entries) {
      return session.fail(entries.error());
    }
    std::vector<std::string> pending;
    for (const auto& entry : *entries) {
      const auto ns = stringField(entry, "name");
      if (!targets.contains(ns) || done.contains(ns)) {
        continue;
      }
      auto refreshed = parseRfc3339(stringField(entry, "lastRefreshTime"), "lastRefreshTime");
      if (refreshed && *refreshed >= requested && *refreshed > latestRefresh &&
          boolField(entry, "ready", false)) {
        done.insert(ns);
        std::printf("%s: rotated (robot %s, Secret generation %lld)\n", ns.c_str(),
                    stringField(entry, "robotName").c_str(),
                    static_cast<long long>(intField(entry, "secretGeneration", 0)));
        continue;
      }
      const auto why = stringField(entry, "lastError", stringField(entry, "reason"));
      pending.push_back(fmt::format("{}: {}", ns, why.empty() ? "not acted on yet" : why));
    }
    if (done.size() == targets.size()) {
      return 0;
    }
    if (deadline.passed()) {
      return session.fail(
          Error(ErrorCode::kDeadlineExceeded,
                fmt::format("not rotated within {}: {}", flags.timeout, fmt::join(pending, "; "))));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

} // namespace

void registerRotateCommand(CLI::App& app, CommandContext context) {
  auto flags = std::make_shared<RotateFlags>();
  auto* rotate = app.add_subcommand("rotate", "Replace a binding's robot credentials now");
  rotate->group("Operations Commands");
  rotate->add_option("name", flags->name, "The binding")->required();
  rotate->add_flag("--all", flags->all, "Every target namespace (otherwise -n NAMESPACE)");
  rotate->add_flag("--wait", flags->wait, "Wait until the new credentials are in place");
  rotate->add_option("--timeout", flags->timeout, "How long --wait waits")->capture_default_str();
  rotate->callback([context, flags] { context.exitCode = runRotate(context, *flags); });
}

} // namespace harborrobot::cli

// HarborRobotBinding parsing: apiVersion/kind, metadata, and every spec field
// with the Generator documentation's semantics and the project's optional additions.
#include "harborrobot/model/binding.h"
#include "harborrobot/util/json_text.h"

#include <fmt/format.h>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/go_duration.h"
#include "harborrobot/util/yaml_json.h"
#include "internal/json_fields.h"

namespace harborrobot {

namespace {

using internal::childPath;
using internal::Json;
using internal::optionalString;
using internal::rejectUnknownFields;
using internal::requiredString;
using internal::requireObject;
using internal::shown;

constexpr std::string_view kDurationExpectation = "e.g. 6h, 1h30m, 90s";

struct PermissionGroup {
  std::string_view resource;
  std::vector<std::string_view> actions;
};

// Harbor 2.12+, kind "project" (NOTES §4).
constexpr std::string_view kCrudl[] = {"create", "read", "update", "delete", "list"};

Result<std::chrono::nanoseconds> durationField(const Json& object, std::string_view key,
                                               std::string_view path,
                                               std::chrono::nanoseconds minimum,
                                               std::string_view minimumText) {
  const std::string name(key);
  const std::string fieldPath = childPath(path, key);
  if (!object[name].is_string()) {
    return makeError(
        fieldError(fieldPath, shown(object[name]), "is not a duration", kDurationExpectation));
  }
  const std::string text = object[name];
  auto parsed = parseGoDuration(text);
  if (!parsed) {
    return makeError(fieldError(fieldPath, text, "is not a duration", kDurationExpectation));
  }
  if (*parsed < minimum) {
    return makeError(fieldError(fieldPath, text, fmt::format("is shorter than {}", minimumText),
                                fmt::format("at least {}", minimumText)));
  }
  return *parsed;
}

Status parseNamespaces(const Json& spec, BindingSpec& out) {
  if (!spec.contains("namespaces") || spec["namespaces"].is_null()) {
    return ok();
  }
  const Json& namespaces = spec["namespaces"];
  const std::string path = "spec.namespaces";
  if (auto status = requireObject(namespaces, path, "{names: [...], selector: {...}}"); !status) {
    return status;
  }
  if (auto status = rejectUnknownFields(namespaces, path, {"names", "selector"}); !status) {
    return status;
  }
  if (namespaces.contains("names") && !namespaces["names"].is_null()) {
    const Json& names = namespaces["names"];
    if (!names.is_array()) {
      return makeError(
          fieldError(path + ".names", shown(names), "is not a list", "a list of namespace names"));
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string itemPath = fmt::format("{}.names[{}]", path, i);
      if (!names[i].is_string()) {
        return makeError(
            fieldError(itemPath, shown(names[i]), "is not a string", "a namespace name"));
      }
      if (auto status = validateDnsLabel(names[i].get<std::string>(), itemPath); !status) {
        return status;
      }
      out.namespaceNames.push_back(names[i]);
    }
  }
  if (namespaces.contains("selector") && !namespaces["selector"].is_null()) {
    auto selector = labelSelectorFromJson(namespaces["selector"], path + ".selector");
    if (!selector) {
      return makeError(selector.error());
    }
    if (!selector->empty()) {
      out.namespaceSelector = std::move(*selector);
    }
  }
  return ok();
}

Status parseHarbor(const Json& spec, BindingSpec& out) {
  const std::string path = "spec.harbor";
  if (!spec.contains("harbor")) {
    return makeError(fieldErrorWithoutValue(path, "is required", "{project, robot, secret}"));
  }
  const Json& harbor = spec["harbor"];
  if (auto status = requireObject(harbor, path, "{project, robot, secret}"); !status) {
    return status;
  }
  if (auto status = rejectUnknownFields(harbor, path, {"project", "robot", "secret"}); !status) {
    return status;
  }
  auto project = requiredString(harbor, "project", path, "a Harbor project name, e.g. team");
  if (!project) {
    return makeError(project.error());
  }
  if (auto status = validateProjectName(*project, path + ".project"); !status) {
    return status;
  }
  out.project = *project;

  const std::string robotPath = path + ".robot";
  if (!harbor.contains("robot")) {
    return makeError(
        fieldErrorWithoutValue(robotPath, "is required", "{access: [{action, resource}]}"));
  }
  const Json& robot = harbor["robot"];
  if (auto status = requireObject(robot, robotPath, "{access: [{action, resource}]}"); !status) {
    return status;
  }
  if (auto status = rejectUnknownFields(robot, robotPath, {"access", "duration"}); !status) {
    return status;
  }
  const std::string accessPath = robotPath + ".access";
  if (!robot.contains("access") || !robot["access"].is_array() || robot["access"].empty()) {
    if (robot.contains("access") && !robot["access"].is_array()) {
      return makeError(fieldError(accessPath, shown(robot["access"]), "is not a list",
                                  "a list of {action, resource}"));
    }
    return makeError(fieldErrorWithoutValue(accessPath, "is required",
                                            "at least one {action, resource}, e.g. "
                                            "{action: pull, resource: repository}"));
  }
  for (std::size_t i = 0; i < robot["access"].size(); ++i) {
    const Json& item = robot["access"][i];
    const std::string itemPath = fmt::format("{}[{}]", accessPath, i);
    if (auto status = requireObject(item, itemPath, "{action, resource}"); !status) {
      return status;
    }
    if (auto status = rejectUnknownFields(item, itemPath, {"action", "resource", "effect"});
        !status) {
      return status;
    }
    auto action = requiredString(item, "action", itemPath, "e.g. pull");
    if (!action) {
      return makeError(action.error());
    }
    auto resource = requiredString(item, "resource", itemPath, "e.g. repository");
    if (!resource) {
      return makeError(resource.error());
    }
    if (!isValidProjectPermission(*resource, *action)) {
      return makeError(fieldError(itemPath, fmt::format("{}:{}", *resource, *action),
                                  "is not a permission Harbor grants to project robots",
                                  "e.g. repository:pull or repository:push (Harbor's robot "
                                  "permission list)"));
    }
    out.access.push_back({*action, *resource});
  }

  const std::string secretPath = path + ".secret";
  if (!harbor.contains("secret")) {
    return makeError(fieldErrorWithoutValue(secretPath, "is required",
                                            "{name, namespace} of a harbor-robot-gen Secret"));
  }
  const Json& secret = harbor["secret"];
  if (auto status = requireObject(secret, secretPath, "{name, namespace}"); !status) {
    return status;
  }
  if (auto status = rejectUnknownFields(secret, secretPath, {"name", "namespace"}); !status) {
    return status;
  }
  auto name = requiredString(secret, "name", secretPath, "the connection Secret's name");
  if (!name) {
    return makeError(name.error());
  }
  if (auto status = validateDnsSubdomain(*name, secretPath + ".name"); !status) {
    return status;
  }
  out.connectionName = *name;
  auto ns = optionalString(secret, "namespace", secretPath);
  if (!ns) {
    return makeError(ns.error());
  }
  out.connectionNamespace = ns->value_or(std::string(wire::kSystemNamespace));
  if (auto status = validateDnsLabel(out.connectionNamespace, secretPath + ".namespace"); !status) {
    return status;
  }
  return ok();
}

Status parseNamedReference(const Json& spec, std::string_view field, std::string& out,
                           bool required) {
  const std::string path = childPath("spec", field);
  const std::string key(field);
  if (!spec.contains(key) || spec[key].is_null()) {
    if (required) {
      return makeError(fieldErrorWithoutValue(path, "is required", "{name: ...}"));
    }
    return ok();
  }
  if (auto status = requireObject(spec[key], path, "{name: ...}"); !status) {
    return status;
  }
  if (auto status = rejectUnknownFields(spec[key], path, {"name"}); !status) {
    return status;
  }
  auto name = optionalString(spec[key], "name", path);
  if (!name) {
    return makeError(name.error());
  }
  if (!*name || (*name)->empty()) {
    if (required) {
      return makeError(fieldErrorWithoutValue(path + ".name", "is required",
                                              "the Secret name to generate, e.g. "
                                              "harbor-secret-for-team.robot"));
    }
    return ok();
  }
  if (auto status = validateDnsSubdomain(**name, path + ".name"); !status) {
    return status;
  }
  out = **name;
  return ok();
}

} // namespace

bool isValidProjectPermission(std::string_view resource, std::string_view action) {
  static const std::vector<PermissionGroup> groups = {
      {"log", {"list"}},
      {"project", {"read", "update", "delete"}},
      {"repository", {"read", "update", "delete", "list", "pull", "push"}},
      {"artifact", {"create", "read", "list", "delete"}},
      {"scan", {"create", "read", "stop"}},
      {"sbom", {"create", "read", "stop"}},
      {"tag", {"create", "list", "delete"}},
      {"accessory", {"list"}},
      {"artifact-addition", {"read"}},
      {"artifact-label", {"create", "delete"}},
      {"scanner", {"create", "read"}},
      {"immutable-tag", {"create", "update", "delete", "list"}},
      {"quota", {"read"}},
      {"robot", {"create", "read", "list", "delete"}},
      {"export-cve", {"create", "read"}},
  };
  static constexpr std::string_view kCrudlResources[] = {
      "metadata", "preheat-policy", "notification-policy", "tag-retention", "label", "member"};
  for (const auto crudlResource : kCrudlResources) {
    if (resource == crudlResource) {
      return std::find(std::begin(kCrudl), std::end(kCrudl), action) != std::end(kCrudl);
    }
  }
  for (const auto& group : groups) {
    if (group.resource == resource) {
      return std::find(group.actions.begin(), group.actions.end(), action) != group.actions.end();
    }
  }
  return false;
}

bool BindingSpec::targets(std::string_view ns, const Labels& labels) const {
  if (std::find(namespaceNames.begin(), namespaceNames.end(), ns) != namespaceNames.end()) {
    return true;
  }
  return namespaceSelector && !namespaceSelector->empty() && namespaceSelector->matches(labels);
}

Result<HarborRobotBinding> parseBinding(const Json& json) {
  if (auto status = requireObject(json, "", "a HarborRobotBinding object"); !status) {
    return makeError(
        fieldError("(document)", shown(json), "is not an object", "a HarborRobotBinding object"));
  }
  const std::string apiVersion = stringField(json, "apiVersion");
  if (apiVersion != kBindingApiVersion) {
    return makeError(fieldError("apiVersion", apiVersion, "is not the binding API version",
                                std::string(kBindingApiVersion)));
  }
  const std::string kind = stringField(json, "kind");
  if (kind != kBindingKind) {
    return makeError(
        fieldError("kind", kind, "is not HarborRobotBinding", std::string(kBindingKind)));
  }
  HarborRobotBinding binding;
  if (!json.contains("metadata") || !json["metadata"].is_object()) {
    return makeError(fieldErrorWithoutValue("metadata", "is required", "{name: ...}"));
  }
  const Json& metadata = json["metadata"];
  auto name = requiredString(metadata, "name", "metadata", "the binding's name");
  if (!name) {
    return makeError(name.error());
  }
  if (auto status = validateDnsSubdomain(*name, "metadata.name"); !status) {
    return makeError(status.error());
  }
  binding.name = *name;
  binding.uid = stringField(metadata, "uid");
  binding.generation = intField(metadata, "generation", 0);
  binding.resourceVersion = stringField(metadata, "resourceVersion");
  binding.deleting =
      metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null();
  if (metadata.contains("finalizers") && metadata["finalizers"].is_array()) {
    for (const auto& finalizer : metadata["finalizers"]) {
      if (finalizer.is_string()) {
        binding.finalizers.push_back(finalizer);
      }
    }
  }

  if (!json.contains("spec")) {
    return makeError(fieldErrorWithoutValue(
        "spec", "is required", "namespaces, generatedSecret, harbor, refreshInterval"));
  }
  const Json& spec = json["spec"];
  if (auto status = requireObject(spec, "spec",
                                  "an object with namespaces, generatedSecret, harbor, "
                                  "refreshInterval");
      !status) {
    return makeError(status.error());
  }
  if (auto status = rejectUnknownFields(spec, "spec",
                                        {"namespaces", "generatedSecret", "serviceAccount",
                                         "harbor", "refreshInterval", "rotation"});
      !status) {
    return makeError(status.error());
  }
  BindingSpec& out = binding.spec;
  for (const auto& step :
       {parseNamespaces(spec, out),
        parseNamedReference(spec, "generatedSecret", out.generatedSecretName, true),
        parseNamedReference(spec, "serviceAccount", out.serviceAccountName, false),
        parseHarbor(spec, out)}) {
    if (!step) {
      return makeError(step.error());
    }
  }
  // The alias copy is "<name>.alias": the generated name must leave room for it.
  if (out.generatedSecretName.size() > 253 - 6) {
    return makeError(fieldError("spec.generatedSecret.name", out.generatedSecretName,
                                "leaves no room for the \".alias\" copy",
                                "at most 247 characters"));
  }
  if (spec.contains("refreshInterval") && !spec["refreshInterval"].is_null()) {
    auto interval = durationField(spec, "refreshInterval", "spec", std::chrono::minutes(1), "1m");
    if (!interval) {
      return makeError(interval.error());
    }
    out.refreshInterval = *interval;
  }
  if (spec.contains("rotation") && !spec["rotation"].is_null()) {
    const Json& rotation = spec["rotation"];
    if (auto status = requireObject(rotation, "spec.rotation", "{gracePeriod}"); !status) {
      return makeError(status.error());
    }
    if (auto status = rejectUnknownFields(rotation, "spec.rotation", {"gracePeriod"}); !status) {
      return makeError(status.error());
    }
    if (rotation.contains("gracePeriod")) {
      auto grace =
          durationField(rotation, "gracePeriod", "spec.rotation", std::chrono::seconds(0), "0s");
      if (!grace) {
        return makeError(grace.error());
      }
      out.gracePeriod = *grace;
    }
  }
  // The robot's backstop expiry: twice the refresh interval, in whole days
  // (Harbor counts robot durations in days).
  constexpr auto kDay = std::chrono::hours(24);
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(2 * out.refreshInterval);
  const Json& robot = spec["harbor"]["robot"];
  if (robot.contains("duration") && !robot["duration"].is_null()) {
    auto explicitLifetime = durationField(robot, "duration", "spec.harbor.robot", kDay, "24h");
    if (!explicitLifetime) {
      return makeError(explicitLifetime.error());
    }
    if (*explicitLifetime <= out.refreshInterval) {
      return makeError(fieldError("spec.harbor.robot.duration",
                                  robot["duration"].get<std::string>(),
                                  "would expire robots before they are rotated",
                                  fmt::format("more than spec.refreshInterval ({})",
                                              formatGoDuration(out.refreshInterval))));
    }
    lifetime = std::chrono::duration_cast<std::chrono::seconds>(*explicitLifetime);
  }
  const auto days = (lifetime + kDay - std::chrono::seconds(1)) / kDay;
  out.robotLifetime =
      std::chrono::duration_cast<std::chrono::seconds>(std::max<std::int64_t>(1, days) * kDay);
  return binding;
}

Result<HarborRobotBinding> parseBindingYaml(std::string_view text) {
  auto json = yamlToJson(text);
  if (!json) {
    return makeError(json.error());
  }
  return parseBinding(*json);
}

} // namespace harborrobot

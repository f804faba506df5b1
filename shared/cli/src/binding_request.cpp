#include "harborrobot/cli/binding_request.h"

#include "harborrobot/model/binding.h"
#include "harborrobot/model/label_selector.h"

namespace harborrobot::cli {

// Harbor's project robot permissions: NOTES §4.
Result<nlohmann::json> robotAccessList(const std::vector<std::string>& access) {
  nlohmann::json list = nlohmann::json::array();
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

Result<nlohmann::json> namespaceSelector(const std::string& text) {
  auto selector = parseLabelSelectorString(text, "--selector");
  if (!selector) {
    return makeError(selector.error());
  }
  if (selector->empty()) {
    return makeError(fieldError("--selector", text, "has no requirement",
                                "e.g. team=a or env in (prod,staging)"));
  }
  return labelSelectorToJson(*selector, "--selector");
}

Result<nlohmann::json> buildBinding(const BindingRequest& flags) {
  if (flags.namespaces.empty() == flags.selector.empty()) {
    return makeError(fieldErrorWithoutValue("--namespaces/--selector", "need exactly one",
                                            "--namespaces a,b or --selector key=value"));
  }
  auto access = robotAccessList(flags.access);
  if (!access) {
    return makeError(access.error());
  }
  nlohmann::json namespaces;
  if (!flags.namespaces.empty()) {
    namespaces["names"] = flags.namespaces;
  } else {
    auto selector = namespaceSelector(flags.selector);
    if (!selector) {
      return makeError(selector.error());
    }
    namespaces["selector"] = std::move(*selector);
  }
  nlohmann::json spec = {
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
  nlohmann::json binding = {{"apiVersion", kBindingApiVersion},
                            {"kind", kBindingKind},
                            {"metadata", {{"name", flags.name}}},
                            {"spec", spec}};
  if (auto parsed = parseBinding(binding); !parsed) {
    return makeError(parsed.error());
  }
  return binding;
}

} // namespace harborrobot::cli

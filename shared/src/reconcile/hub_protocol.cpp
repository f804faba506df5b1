// The hub API's JSON, both ways. Parsers are strict about types (a peer of
// another version must fail loudly) and lenient about unknown members (a newer
// peer may add some).
#include "harborrobot/reconcile/hub_protocol.h"

#include <fmt/format.h>

#include "../model/internal/json_fields.h"
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/util/go_duration.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::reconcile {

namespace {

using Json = nlohmann::json;
using internal::childPath;
using internal::shown;

Result<std::string> text(const Json& object, std::string_view key, std::string_view path,
                         bool required = true) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    if (required) {
      return makeError(fieldErrorWithoutValue(childPath(path, key), "is missing", "a string"));
    }
    return std::string();
  }
  if (!found->is_string()) {
    return makeError(
        fieldError(childPath(path, key), shown(*found), "is not a string", "a string"));
  }
  return found->get<std::string>();
}

Result<std::int64_t> integer(const Json& object, std::string_view key, std::string_view path,
                             bool required = true) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    if (required) {
      return makeError(fieldErrorWithoutValue(childPath(path, key), "is missing", "an integer"));
    }
    return 0;
  }
  if (!found->is_number_integer()) {
    return makeError(
        fieldError(childPath(path, key), shown(*found), "is not an integer", "an integer"));
  }
  return found->get<std::int64_t>();
}

Result<bool> boolean(const Json& object, std::string_view key, std::string_view path) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return false;
  }
  if (!found->is_boolean()) {
    return makeError(
        fieldError(childPath(path, key), shown(*found), "is not a boolean", "true or false"));
  }
  return found->get<bool>();
}

Result<std::optional<TimePoint>> time(const Json& object, std::string_view key,
                                      std::string_view path) {
  auto value = text(object, key, path, false);
  if (!value) {
    return tl::unexpected(value.error());
  }
  if (value->empty()) {
    return std::optional<TimePoint>();
  }
  auto parsed = parseRfc3339(*value, childPath(path, key));
  if (!parsed) {
    return tl::unexpected(parsed.error());
  }
  return std::optional<TimePoint>(*parsed);
}

Result<std::chrono::nanoseconds> duration(const Json& object, std::string_view key,
                                          std::string_view path) {
  auto value = text(object, key, path);
  if (!value) {
    return tl::unexpected(value.error());
  }
  auto parsed = parseGoDuration(*value);
  if (!parsed || *parsed <= std::chrono::nanoseconds::zero()) {
    return makeError(fieldError(childPath(path, key), *value, "is not a positive duration",
                                "a Go duration such as 6h or 90s"));
  }
  return *parsed;
}

Status requireObjectAt(const Json& json, std::string_view path) {
  if (!json.is_object()) {
    return makeError(
        fieldError(path.empty() ? "body" : path, shown(json), "is not an object", "a JSON object"));
  }
  return ok();
}

void putTime(Json& json, std::string_view key, const std::optional<TimePoint>& value) {
  if (value) {
    json[std::string(key)] = formatRfc3339(*value);
  }
}

// Reads one member or returns its error from the enclosing function.
#define HR_READ(target, expression)                                                                \
  do {                                                                                             \
    auto read_ = (expression);                                                                     \
    if (!read_) {                                                                                  \
      return tl::unexpected(read_.error());                                                        \
    }                                                                                              \
    target = std::move(*read_);                                                                    \
  } while (false)

} // namespace

Json toJson(const AgentBinding& binding) {
  Json access = Json::array();
  for (const auto& entry : binding.access) {
    access.push_back({{"action", entry.action}, {"resource", entry.resource}});
  }
  Json json = {{"name", binding.name},
               {"uid", binding.uid},
               {"generation", binding.generation},
               {"secretName", binding.secretName},
               {"serviceAccountName", binding.serviceAccountName},
               {"registryUrl", binding.registryUrl},
               {"project", binding.project},
               {"access", access},
               {"refreshInterval", formatGoDuration(binding.refreshInterval)},
               {"specHash", binding.specHash},
               {"activeGeneration", binding.activeGeneration}};
  if (binding.alias) {
    json["alias"] = {{"url", binding.alias->url},
                     {"policy", binding.alias->policy},
                     {"ips", binding.alias->ips},
                     {"checkInterval", formatGoDuration(binding.alias->checkInterval)}};
  }
  if (!binding.registryCaPem.empty()) {
    json["registryCaPem"] = binding.registryCaPem;
  }
  putTime(json, "rotateRequestedAt", binding.rotateRequestedAt);
  if (binding.frozen) {
    json["frozen"] = true; // absent otherwise: older agents read the view as before
  }
  return json;
}

Json toJson(const std::vector<AgentBinding>& bindings) {
  Json items = Json::array();
  for (const auto& binding : bindings) {
    items.push_back(toJson(binding));
  }
  return {{"items", items}};
}

Json toJson(const CredentialRequest& request) {
  return {{"rotationId", request.rotationId}, {"generation", request.generation}};
}

Json toJson(const IssuedCredential& credential) {
  Json json = {{"username", credential.username},
               {"secret", std::string(credential.secret.reveal())},
               {"generation", credential.generation},
               {"robotName", credential.robotName}};
  putTime(json, "expiresAt", credential.expiresAt);
  return json;
}

Json toJson(const Activation& activation) {
  return {{"generation", activation.generation}, {"rotationId", activation.rotationId}};
}

Json toJson(const NamespaceReport& report) {
  Json json = {{"binding", report.binding},         {"ready", report.ready},
               {"generation", report.generation},   {"robotName", report.robotName},
               {"aliasActive", report.aliasActive}, {"reason", report.reason},
               {"lastError", report.lastError}};
  putTime(json, "lastRefreshTime", report.lastRefreshTime);
  putTime(json, "nextRefreshTime", report.nextRefreshTime);
  putTime(json, "credentialVerifiedAt", report.credentialVerifiedAt);
  return json;
}

Json toJson(const AgentReport& report) {
  Json bindings = Json::array();
  for (const auto& entry : report.bindings) {
    bindings.push_back(toJson(entry));
  }
  return {{"agentVersion", report.agentVersion}, {"bindings", bindings}};
}

Result<AgentBinding> parseAgentBinding(const Json& json, std::string_view path) {
  if (auto valid = requireObjectAt(json, path); !valid) {
    return tl::unexpected(valid.error());
  }
  AgentBinding binding;
  HR_READ(binding.name, text(json, "name", path));
  HR_READ(binding.uid, text(json, "uid", path));
  HR_READ(binding.generation, integer(json, "generation", path));
  HR_READ(binding.secretName, text(json, "secretName", path));
  HR_READ(binding.serviceAccountName, text(json, "serviceAccountName", path, false));
  HR_READ(binding.registryUrl, text(json, "registryUrl", path));
  HR_READ(binding.registryCaPem, text(json, "registryCaPem", path, false));
  HR_READ(binding.project, text(json, "project", path));
  HR_READ(binding.refreshInterval, duration(json, "refreshInterval", path));
  HR_READ(binding.specHash, text(json, "specHash", path));
  HR_READ(binding.activeGeneration, integer(json, "activeGeneration", path, false));
  HR_READ(binding.rotateRequestedAt, time(json, "rotateRequestedAt", path));
  HR_READ(binding.frozen, boolean(json, "frozen", path));
  const auto access = json.find("access");
  if (access == json.end() || !access->is_array()) {
    return makeError(fieldErrorWithoutValue(childPath(path, "access"), "is missing or not a list",
                                            "a list of {action, resource}"));
  }
  for (std::size_t i = 0; i < access->size(); ++i) {
    const std::string entryPath = fmt::format("{}[{}]", childPath(path, "access"), i);
    const Json& entry = (*access)[i];
    if (auto valid = requireObjectAt(entry, entryPath); !valid) {
      return tl::unexpected(valid.error());
    }
    RobotAccess item;
    HR_READ(item.action, text(entry, "action", entryPath));
    HR_READ(item.resource, text(entry, "resource", entryPath));
    binding.access.push_back(std::move(item));
  }
  if (const auto alias = json.find("alias"); alias != json.end() && !alias->is_null()) {
    const std::string aliasPath = childPath(path, "alias");
    if (auto valid = requireObjectAt(*alias, aliasPath); !valid) {
      return tl::unexpected(valid.error());
    }
    AliasSettings settings;
    HR_READ(settings.url, text(*alias, "url", aliasPath));
    HR_READ(settings.policy, text(*alias, "policy", aliasPath));
    HR_READ(settings.checkInterval, duration(*alias, "checkInterval", aliasPath));
    if (const auto ips = alias->find("ips"); ips != alias->end() && !ips->is_null()) {
      if (!ips->is_array()) {
        return makeError(fieldError(childPath(aliasPath, "ips"), shown(*ips), "is not a list",
                                    "a list of IP addresses"));
      }
      for (const auto& ip : *ips) {
        if (!ip.is_string()) {
          return makeError(fieldError(childPath(aliasPath, "ips"), shown(ip), "is not a string",
                                      "an IP address"));
        }
        settings.ips.push_back(ip.get<std::string>());
      }
    }
    binding.alias = std::move(settings);
  }
  return binding;
}

Result<std::vector<AgentBinding>> parseBindingList(const Json& json) {
  if (auto valid = requireObjectAt(json, ""); !valid) {
    return tl::unexpected(valid.error());
  }
  const auto items = json.find("items");
  if (items == json.end() || !items->is_array()) {
    return makeError(fieldErrorWithoutValue("items", "is missing or not a list", "a list"));
  }
  std::vector<AgentBinding> bindings;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto binding = parseAgentBinding((*items)[i], fmt::format("items[{}]", i));
    if (!binding) {
      return tl::unexpected(binding.error());
    }
    bindings.push_back(std::move(*binding));
  }
  return bindings;
}

Result<CredentialRequest> parseCredentialRequest(const Json& json) {
  if (auto valid = requireObjectAt(json, ""); !valid) {
    return tl::unexpected(valid.error());
  }
  CredentialRequest request;
  HR_READ(request.rotationId, text(json, "rotationId", ""));
  HR_READ(request.generation, integer(json, "generation", ""));
  if (request.rotationId.empty() || request.rotationId.size() > 64 ||
      !isValidRobotName(request.rotationId)) {
    return makeError(fieldError("rotationId", request.rotationId, "is not a rotation id",
                                "1-64 characters of [a-z0-9] separated by single . _ or -"));
  }
  if (request.generation < 1) {
    return makeError(fieldError("generation", std::to_string(request.generation),
                                "is not a generation", "an integer of at least 1"));
  }
  return request;
}

Result<IssuedCredential> parseIssuedCredential(const Json& json) {
  if (!json.is_object()) {
    // Not quoted: whatever came in place of the credential may hold its secret.
    return makeError(
        fieldErrorWithoutValue("body", fmt::format("is a JSON {}, not an object", json.type_name()),
                               "a JSON object holding the robot's credential"));
  }
  IssuedCredential credential;
  HR_READ(credential.username, text(json, "username", ""));
  std::string secret;
  const auto found = json.find("secret");
  if (found == json.end() || !found->is_string() || found->get_ref<const std::string&>().empty()) {
    // The value is never echoed: it is a credential.
    return makeError(
        fieldErrorWithoutValue("secret", "is missing or not a string", "the robot's secret"));
  }
  credential.secret = SecretString(found->get<std::string>());
  HR_READ(credential.generation, integer(json, "generation", ""));
  HR_READ(credential.robotName, text(json, "robotName", ""));
  HR_READ(credential.expiresAt, time(json, "expiresAt", ""));
  return credential;
}

Result<Activation> parseActivation(const Json& json) {
  if (auto valid = requireObjectAt(json, ""); !valid) {
    return tl::unexpected(valid.error());
  }
  Activation activation;
  HR_READ(activation.generation, integer(json, "generation", ""));
  HR_READ(activation.rotationId, text(json, "rotationId", ""));
  if (activation.generation < 1) {
    return makeError(fieldError("generation", std::to_string(activation.generation),
                                "is not a generation", "an integer of at least 1"));
  }
  return activation;
}

Result<NamespaceReport> parseNamespaceReport(const Json& json, std::string_view path) {
  if (auto valid = requireObjectAt(json, path); !valid) {
    return tl::unexpected(valid.error());
  }
  NamespaceReport report;
  HR_READ(report.binding, text(json, "binding", path));
  HR_READ(report.ready, boolean(json, "ready", path));
  HR_READ(report.generation, integer(json, "generation", path, false));
  HR_READ(report.robotName, text(json, "robotName", path, false));
  HR_READ(report.lastRefreshTime, time(json, "lastRefreshTime", path));
  HR_READ(report.nextRefreshTime, time(json, "nextRefreshTime", path));
  HR_READ(report.aliasActive, boolean(json, "aliasActive", path));
  HR_READ(report.credentialVerifiedAt, time(json, "credentialVerifiedAt", path));
  HR_READ(report.reason, text(json, "reason", path, false));
  HR_READ(report.lastError, text(json, "lastError", path, false));
  return report;
}

Result<AgentReport> parseAgentReport(const Json& json) {
  if (auto valid = requireObjectAt(json, ""); !valid) {
    return tl::unexpected(valid.error());
  }
  AgentReport report;
  HR_READ(report.agentVersion, text(json, "agentVersion", "", false));
  const auto bindings = json.find("bindings");
  if (bindings == json.end() || !bindings->is_array()) {
    return makeError(fieldErrorWithoutValue("bindings", "is missing or not a list", "a list"));
  }
  for (std::size_t i = 0; i < bindings->size(); ++i) {
    auto entry = parseNamespaceReport((*bindings)[i], fmt::format("bindings[{}]", i));
    if (!entry) {
      return tl::unexpected(entry.error());
    }
    report.bindings.push_back(std::move(*entry));
  }
  return report;
}

std::string credentialSpecHash(const BindingSpec& spec, std::string_view registryUrl,
                               const std::optional<std::string>& aliasUrl) {
  Json access = Json::array();
  for (const auto& entry : spec.access) {
    access.push_back({entry.resource, entry.action});
  }
  const Json input = {{"project", spec.project},
                      {"access", access},
                      {"url", registryUrl},
                      {"alias", aliasUrl.value_or("")},
                      {"secret", spec.generatedSecretName}};
  return sha256Hex(jsonText(input)).substr(0, 16);
}

#undef HR_READ

} // namespace harborrobot::reconcile

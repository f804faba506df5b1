// HarborProvider: each Provider call mapped to Harbor's endpoints.
#include "harbor_provider.h"
#include "harborrobot/util/json_text.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "harborrobot/registry/credential_check.h"
#include "harborrobot/registry/harbor_facts.h"

namespace harborrobot::plugins::harbor {

namespace {

constexpr std::string_view kApi = "/api/v2.0";
// Harbor's largest page (a larger page_size is a 422).
constexpr std::int64_t kPageSize = 100;

std::int64_t durationDays(std::chrono::seconds lifetime) {
  if (lifetime.count() <= 0) {
    return -1; // Harbor >= 2.11 refuses 0; -1 is "never expires"
  }
  constexpr std::int64_t kDay = 24 * 3600;
  return std::max<std::int64_t>(1, (lifetime.count() + kDay - 1) / kDay);
}

std::optional<std::chrono::system_clock::time_point> expiry(const Json& robot) {
  const std::int64_t expiresAt = intField(robot, "expires_at", -1);
  if (expiresAt < 0) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point{} + std::chrono::seconds(expiresAt);
}

} // namespace

Result<std::chrono::system_clock::time_point> parseHarborTime(std::string_view text) {
  std::tm parts{};
  const std::string copy(text);
  const char* end = ::strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (end == nullptr) {
    return makeError(fieldError("creation_time", text, "is not an RFC 3339 time",
                                "e.g. 2025-05-15T10:33:41.123Z"));
  }
  std::chrono::milliseconds fraction{0};
  if (*end == '.') {
    ++end;
    int digits = 0;
    long value = 0;
    while (*end >= '0' && *end <= '9') {
      if (digits < 3) {
        value = value * 10 + (*end - '0');
        ++digits;
      }
      ++end;
    }
    while (digits < 3) {
      value *= 10;
      ++digits;
    }
    fraction = std::chrono::milliseconds(value);
  }
  long offsetSeconds = 0;
  if (*end == '+' || *end == '-') {
    const int sign = *end == '-' ? -1 : 1;
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(end + 1, "%2d:%2d", &hours, &minutes) != 2) {
      return makeError(
          fieldError("creation_time", text, "has a malformed zone offset", "Z or ±hh:mm"));
    }
    offsetSeconds = sign * (hours * 3600L + minutes * 60L);
  } else if (*end != 'Z' && *end != 'z') {
    return makeError(fieldError("creation_time", text, "has no zone", "Z or ±hh:mm"));
  }
  const std::time_t seconds = ::timegm(&parts) - offsetSeconds;
  return std::chrono::system_clock::from_time_t(seconds) + fraction;
}

HarborProvider::HarborProvider(plugin::ProviderConfig config, http::Client& client)
    : api_(std::move(config.url), std::move(config.username), std::move(config.password), client) {}

Result<plugin::ServerInfo> HarborProvider::serverInfo() {
  plugin::ServerInfo info;
  info.product = "Harbor";
  auto system = api_.callJson("GET", fmt::format("{}/systeminfo", kApi));
  if (!system) {
    return makeError(system.error());
  }
  // Harbor answers bad credentials as anonymous: systeminfo then omits the version.
  if (!system->contains("harbor_version")) {
    return makeError(ErrorCode::kUnauthenticated,
                     fmt::format("Harbor at {} did not accept the credentials of user \"{}\" "
                                 "(it answered as to an anonymous caller)",
                                 api_.baseUrl(), api_.username()));
  }
  info.version = system->value("harbor_version", "");
  info.readOnly = boolField(*system, "read_only", false);
  auto current = api_.callJson("GET", fmt::format("{}/users/current", kApi));
  if (!current) {
    // 412 is Harbor's answer for robot accounts.
    if (current.error().code() == ErrorCode::kFailedPrecondition) {
      info.userIsRobot = true;
      return info;
    }
    return makeError(current.error());
  }
  info.userIsAdmin = registry::isHarborAdministrator(*current);
  return info;
}

Result<std::int64_t> HarborProvider::projectId(std::string_view project) const {
  auto found =
      api_.callJson("GET", fmt::format("{}/projects/{}", kApi, http::percentEncode(project)),
                    std::nullopt, {{"X-Is-Resource-Name", "true"}});
  if (!found) {
    return makeError(found.error());
  }
  const auto id = found->value("project_id", static_cast<std::int64_t>(0));
  if (id <= 0) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("project {}: Harbor's answer has no project_id", project));
  }
  return id;
}

Result<bool> HarborProvider::ensureProject(std::string_view project) {
  auto head = api_.call(
      "HEAD", fmt::format("{}/projects?project_name={}", kApi, http::percentEncode(project)));
  if (head) {
    return false;
  }
  if (head.error().code() != ErrorCode::kNotFound) {
    return makeError(head.error());
  }
  const Json body = {{"project_name", std::string(project)}, {"metadata", {{"public", "false"}}}};
  auto created = api_.call("POST", fmt::format("{}/projects", kApi), body);
  if (!created) {
    // Another hub (or a person) made it between our HEAD and POST.
    if (created.error().code() == ErrorCode::kAlreadyExists) {
      return false;
    }
    return makeError(created.error());
  }
  return true;
}

Result<plugin::Credential>
HarborProvider::createCredential(const plugin::CredentialRequest& request) {
  Json access = Json::array();
  for (const auto& permission : request.access) {
    access.push_back({{"resource", permission.resource}, {"action", permission.action}});
  }
  const Json body = {
      {"name", request.name},
      {"description", request.description},
      {"level", "project"},
      {"duration", durationDays(request.lifetime)},
      {"permissions",
       Json::array({{{"kind", "project"}, {"namespace", request.project}, {"access", access}}})}};
  auto created = api_.callJson("POST", fmt::format("{}/robots", kApi), body);
  if (!created) {
    return makeError(created.error());
  }
  plugin::Credential credential;
  credential.id = created->value("id", static_cast<std::int64_t>(0));
  credential.username = created->value("name", "");
  credential.secret = SecretString(created->value("secret", ""));
  credential.expiresAt = expiry(*created);
  if (credential.id <= 0 || credential.username.empty() || credential.secret.empty()) {
    return makeError(ErrorCode::kUnavailable,
                     "POST /api/v2.0/robots: Harbor's answer lacks id, name or secret");
  }
  return credential;
}

Status HarborProvider::deleteCredential(std::string_view, std::int64_t id) {
  auto deleted = api_.call("DELETE", fmt::format("{}/robots/{}", kApi, id));
  if (!deleted && deleted.error().code() != ErrorCode::kNotFound) {
    return makeError(deleted.error());
  }
  return ok();
}

Result<std::vector<plugin::CredentialSummary>>
HarborProvider::listCredentials(std::string_view project, std::string_view descriptionPrefix) {
  auto id = projectId(project);
  if (!id) {
    return makeError(id.error());
  }
  // Level and ProjectID are read from q alone; as top-level parameters Harbor
  // ignores them and lists system robots (src/server/v2.0/handler/robot.go).
  const std::string query =
      registry::harborQueryParameter({{"Level", "project"}, {"ProjectID", std::to_string(*id)}});
  std::vector<plugin::CredentialSummary> ours;
  std::int64_t seen = 0;
  for (std::int64_t page = 1;; ++page) {
    const std::string path =
        fmt::format("{}/robots?q={}&page={}&page_size={}", kApi, query, page, kPageSize);
    auto response = api_.call("GET", path);
    if (!response) {
      return makeError(response.error());
    }
    const Json robots = Json::parse(response->body, nullptr, false);
    if (!robots.is_array()) {
      return makeError(ErrorCode::kUnavailable, "GET /api/v2.0/robots: the answer is not a list");
    }
    for (const auto& robot : robots) {
      const std::string description = stringField(robot, "description");
      if (!description.starts_with(descriptionPrefix)) {
        continue;
      }
      plugin::CredentialSummary summary;
      summary.id = intField(robot, "id", 0);
      summary.username = stringField(robot, "name");
      summary.description = description;
      summary.disabled = boolField(robot, "disable", false);
      summary.expiresAt = expiry(robot);
      if (auto created = parseHarborTime(stringField(robot, "creation_time")); created) {
        summary.createdAt = *created;
      }
      ours.push_back(std::move(summary));
    }
    seen += static_cast<std::int64_t>(robots.size());
    // Harbor always sends X-Total-Count (src/server/v2.0/handler/robot.go); pages
    // continue until that many were seen. An empty page ends it regardless, so a
    // count that changes under us cannot loop for ever.
    std::int64_t total = -1;
    if (const auto header = response->headers.find("X-Total-Count");
        header != response->headers.end()) {
      total = std::strtoll(header->second.c_str(), nullptr, 10);
    }
    if (robots.empty() ||
        (total >= 0 ? seen >= total : static_cast<std::int64_t>(robots.size()) < kPageSize)) {
      break;
    }
  }
  return ours;
}

Result<plugin::VerifyResult>
HarborProvider::verifyCredential(std::string_view project, std::string_view username,
                                 const SecretString& secret,
                                 const std::vector<plugin::Permission>& expected) {
  std::vector<RobotAccess> access;
  for (const auto& permission : expected) {
    access.push_back({permission.action, permission.resource});
  }
  auto check = registry::checkCredential(api_.client(), {api_.baseUrl(), std::string(project),
                                                         std::string(username), secret,
                                                         registry::tokenVisibleActions(access)});
  if (!check) {
    return makeError(check.error());
  }
  plugin::VerifyResult result;
  result.accepted = check->accepted();
  for (const auto& action : check->granted) {
    result.granted.push_back({"repository", action});
  }
  result.detail = check->detail;
  return result;
}

} // namespace harborrobot::plugins::harbor

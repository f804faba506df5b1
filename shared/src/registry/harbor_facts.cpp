// Harbor's rules as read from its source; see harbor_facts.h for each citation.
#include "harborrobot/registry/harbor_facts.h"

#include <charconv>

#include <fmt/format.h>

#include "harborrobot/http/percent_encode.h"
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::registry {

namespace {

// Reads one decimal number at `text`, advancing past it.
bool readNumber(std::string_view& text, int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || out < 0) {
    return false;
  }
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

struct VersionedPermission {
  std::string_view resource;
  std::string_view action;
  HarborVersion since;
};

// Project-robot permissions younger than the oldest Harbor harborrobot speaks
// (2.12.0). export-cve moved from system to project scope in 2.12.1
// (src/common/rbac/const.go, v2.12.0 against v2.12.1).
constexpr VersionedPermission kYoungerPermissions[] = {
    {"export-cve", "create", {2, 12, 1}},
    {"export-cve", "read", {2, 12, 1}},
};

} // namespace

Result<HarborVersion> parseHarborVersion(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with('v')) {
    rest.remove_prefix(1);
  }
  HarborVersion version;
  const auto malformed = [&] {
    return makeError(fieldError("harbor_version", text, "is not a Harbor version",
                                "e.g. v2.12.2-73072d0d or 2.14.0"));
  };
  if (!readNumber(rest, version.major) || !rest.starts_with('.')) {
    return malformed();
  }
  rest.remove_prefix(1);
  if (!readNumber(rest, version.minor)) {
    return malformed();
  }
  if (rest.starts_with('.')) {
    rest.remove_prefix(1);
    if (!readNumber(rest, version.patch)) {
      return malformed();
    }
  }
  // What follows is a build suffix ("-73072d0d", "-rc1"), or nothing.
  if (!rest.empty() && rest.front() != '-' && rest.front() != '+') {
    return malformed();
  }
  return version;
}

bool isHarborAdministrator(const nlohmann::json& currentUser) {
  return boolField(currentUser, "sysadmin_flag", false) ||
         boolField(currentUser, "admin_role_in_auth", false);
}

bool isReadOnlyRefusal(int httpStatus, std::string_view body) {
  return httpStatus == 403 && body.find(kReadOnlyMessage) != std::string_view::npos;
}

bool isReadOnlyError(const Error& error) {
  return error.code() == ErrorCode::kUnavailable &&
         error.message().find(kReadOnlyMessage) != std::string::npos;
}

std::string harborQueryParameter(const std::vector<std::pair<std::string, std::string>>& exact) {
  std::string inner;
  for (const auto& [key, value] : exact) {
    if (!inner.empty()) {
      inner += ',';
    }
    inner += key + "=" + http::percentEncode(value);
  }
  return http::percentEncode(inner);
}

Result<std::size_t> robotNameRoom(std::string_view project, std::size_t minimum) {
  // "<project>+" comes first in the stored name.
  const std::size_t used = project.size() + 1;
  const std::size_t room = used >= kStoredRobotNameColumn ? 0 : kStoredRobotNameColumn - used;
  if (room < minimum) {
    return makeError(fieldError(
        "spec.harbor.project", project,
        fmt::format("is {} characters long: Harbor stores each robot as <project>+<name> in {} "
                    "characters, which leaves {} for the robot's name",
                    project.size(), kStoredRobotNameColumn, room),
        fmt::format("a project name of at most {} characters",
                    kStoredRobotNameColumn - 1 - minimum)));
  }
  return room;
}

Status checkAccessForVersion(const std::vector<RobotAccess>& access, const HarborVersion& version) {
  for (const auto& item : access) {
    for (const auto& younger : kYoungerPermissions) {
      if (item.resource == younger.resource && item.action == younger.action &&
          version < younger.since) {
        return makeError(
            ErrorCode::kFailedPrecondition,
            fmt::format("spec.harbor.robot.access: {}:{} is a project permission from Harbor "
                        "{}.{}.{} on; the connected Harbor is {}.{}.{}",
                        item.resource, item.action, younger.since.major, younger.since.minor,
                        younger.since.patch, version.major, version.minor, version.patch));
      }
    }
  }
  return ok();
}

ConnectionVerdict judgeConnection(std::string_view url, std::string_view username,
                                  const Result<plugin::ServerInfo>& answer) {
  ConnectionVerdict verdict;
  if (!answer) {
    verdict.reason = answer.error().code() == ErrorCode::kUnauthenticated
                         ? "HarborAuthenticationFailed"
                         : "HarborUnreachable";
    verdict.message = fmt::format("{}: {}", url, answer.error().message());
    return verdict;
  }
  const auto version = parseHarborVersion(answer->version);
  if (answer->userIsRobot) {
    verdict.reason = "HarborUserIsRobot";
    verdict.message =
        fmt::format("{} is a robot account; harborrobot needs a Harbor administrator", username);
  } else if (!answer->userIsAdmin) {
    verdict.reason = "HarborUserNotAdmin";
    verdict.message = fmt::format("{} is not a Harbor administrator on {} (neither sysadmin_flag "
                                  "nor an administrators' group)",
                                  username, url);
  } else if (!version || *version < HarborVersion{2, 12, 0}) {
    verdict.reason = "HarborVersionUnsupported";
    verdict.message =
        fmt::format("{} runs Harbor {}; harborrobot needs 2.12 or later", url, answer->version);
  } else if (answer->readOnly) {
    // Usable, but for now Harbor refuses every change: nothing is created or
    // deleted, and every credential in place stays (read-only mode is an
    // operator's maintenance, src/server/middleware/readonly/readonly.go).
    verdict.usable = true;
    verdict.reason = "HarborReadOnly";
    verdict.message = fmt::format("{} is in read-only mode: no robot is created or deleted until "
                                  "it ends; every Secret in place stays",
                                  url);
  } else {
    verdict.usable = true;
    verdict.reason = ConnectionVerdict::kConnectionVerified;
    verdict.message = fmt::format("{} answers as Harbor {}; {} is an administrator", url,
                                  answer->version, username);
  }
  return verdict;
}

} // namespace harborrobot::registry

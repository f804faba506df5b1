// What Harbor's answers mean, each rule read from Harbor's source (tags
// v2.12.0–v2.15.x): who is an administrator, read-only mode, the stored robot
// name's column, which permissions a version accepts, and the failed-login lock.
// The hub, the provider plugin and `kubectl harborrobot` all decide with these.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot::registry {

// A Harbor version as /systeminfo tells it ("v2.12.2-73072d0d", "2.14.0").
struct HarborVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const HarborVersion&) const = default;
};

// Reads "v2.12.2-73072d0d", "2.14", "v2.15.0-rc1"; an error names the text.
[[nodiscard]] Result<HarborVersion> parseHarborVersion(std::string_view text);

// An administrator is a user with sysadmin_flag, or one whose LDAP/OIDC group
// carries the admin role (admin_role_in_auth): Harbor's IsSysAdmin
// (src/common/security/local/context.go) accepts either. `currentUser` is the
// body of GET /api/v2.0/users/current.
bool isHarborAdministrator(const nlohmann::json& currentUser);

// Harbor's read-only middleware (src/server/middleware/readonly/readonly.go)
// refuses every write with 403 DENIED and this text while /systeminfo says
// read_only: an operator's maintenance window, to wait out, never a refusal.
inline constexpr std::string_view kReadOnlyMessage = "The system is in read only mode";
bool isReadOnlyRefusal(int httpStatus, std::string_view body);
// An Error made from such an answer (the provider maps it to kUnavailable with
// Harbor's text), wherever it surfaces.
bool isReadOnlyError(const Error& error);

// The value of Harbor's `q` list parameter for exact matches, `k1=v1,k2=v2`,
// ready to follow "q=" in a URL. Harbor decodes `q` twice (once as a query
// parameter, once more in src/lib/q/builder.go), so each value is encoded
// before the whole is: a "+" in a stored robot name travels as %252B. Keys such
// as Level and ProjectID exist only inside `q` (src/server/v2.0/handler/
// robot.go ListRobot reads query.Keywords, which BuildQuery fills from q alone).
std::string harborQueryParameter(const std::vector<std::pair<std::string, std::string>>& exact);

// Harbor stores a project robot as "<project>+<name>" in robot.name, a
// varchar(255) (make/migrations/postgresql/0004_1.8.0_schema.up.sql), and checks
// nothing before the insert, so a longer name is a 500. This is the room left
// for the robot's own name in `project`, or an error naming the project when
// that room is below `minimum`.
inline constexpr std::size_t kStoredRobotNameColumn = 255;
[[nodiscard]] Result<std::size_t> robotNameRoom(std::string_view project, std::size_t minimum);

// The binding's access as the connected Harbor accepts it: permissions Harbor
// added later than `version` are refused with a message naming the pair, the
// version that brought it and the version connected (src/common/rbac/const.go
// per tag: export-cve is a project permission only from 2.12.1).
[[nodiscard]] Status checkAccessForVersion(const std::vector<RobotAccess>& access,
                                           const HarborVersion& version);

// After a failed Basic login Harbor locks the username for 1.5 s; within it even
// the right password is treated as anonymous (src/core/auth/authenticator.go
// Login). A retry of the same username waits at least this long.
inline constexpr std::chrono::milliseconds kFailedLoginLock{1500};

// The verdict on a connection: the one the hub records as the connection
// Secret's Event, and the one `kubectl harborrobot connect --check-local` and
// `doctor --local` print. `answer` is the provider's serverInfo(): an error is
// refused credentials (kUnauthenticated) or a Harbor that could not be asked.
struct ConnectionVerdict {
  // Bindings may use the connection. A Harbor in read-only mode is usable
  // (every credential in place stays) though its reason is HarborReadOnly.
  bool usable = false;
  std::string reason{};  // an Event reason: ConnectionVerified, HarborUserIsRobot, …
  std::string message{}; // for a person; never a secret
  bool verified() const { return reason == kConnectionVerified; }
  static constexpr std::string_view kConnectionVerified = "ConnectionVerified";
};

ConnectionVerdict judgeConnection(std::string_view url, std::string_view username,
                                  const Result<plugin::ServerInfo>& answer);

} // namespace harborrobot::registry

// The simulated Harbor core API (v2.0), independent of the HTTP library: a
// request in, a response out. State is in memory, guarded by one mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harbor_error.h"
#include "password_hash.h"
#include "registry_tokens.h"
#include "robot_rules.h"

namespace harborrobot::harborsim {

struct HarborRequest {
  std::string method;
  std::string path;
  std::string rawQuery;
  std::string authorization;                  // the Authorization header
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
};

struct HarborResponse {
  int status = 200;
  std::string contentType = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Who made the request ("" if anonymous), for the request log only.
  std::string caller;
  // A HEAD answer's Content-Length when it differs from the (empty) body's.
  std::optional<std::int64_t> headContentLength;
};

// A JSON answer as Harbor writes it (invalid UTF-8 replaced, trailing newline).
HarborResponse jsonResponse(int status, const nlohmann::json& body);

struct HarborOptions {
  HarborVersion version;
  std::string externalUrl; // https://host:port
  std::string adminPassword = "Harbor12345";
  // Harbor sleeps 1.5 s after a failed login; tests may shorten it.
  std::chrono::milliseconds failedLoginDelay{1500};
  // More administrators, as an LDAP/OIDC-provisioned admin would be: their
  // passwords are not held to Harbor's local password policy (the seed's
  // placeholders "api-password" and "pass1" could not be set through the API).
  std::vector<std::pair<std::string, std::string>> extraAdmins{};
  // Administrators only through an LDAP/OIDC admin group: sysadmin_flag false,
  // admin_role_in_auth true (src/common/security/local/context.go IsSysAdmin).
  std::vector<std::pair<std::string, std::string>> adminGroupUsers{};
};

// 403 DENIED of Harbor's readonly middleware.
HarborError readOnlyError();

// What the /v2/ guard decided: either a refusal to send, or the repository a
// request to forward concerns (empty for /v2/ itself and unparsed paths).
struct RegistryGate {
  std::optional<HarborResponse> refusal;
  std::string project;
  std::string repository; // "<project>/<repo>"
  bool manifestPush = false;
  std::string caller; // for the request log
};

class HarborApi {
public:
  HarborApi(HarborOptions options, std::unique_ptr<RegistryTokenIssuer> tokens);
  // /api/..., /service/token: every answer, including refusals. Sleeps the
  // failed-login delay (outside the lock) when Basic credentials failed.
  HarborResponse handle(const HarborRequest& request);
  // /v2/...: Harbor core's own check before the registry sees the request.
  RegistryGate authorizeRegistry(const HarborRequest& request);
  // A manifest push succeeded: the repository now exists in its project.
  void recordRepository(const std::string& project, const std::string& repository);
  bool isAdmin(const std::string& authorization);

  // The whole state as JSON (secrets only as their PBKDF2 hashes), and back.
  nlohmann::json snapshot();
  std::optional<std::string> restore(const nlohmann::json& state);

private:
  struct User {
    std::int64_t id;
    std::string name;
    PasswordHash password;
    bool admin; // sysadmin_flag
    bool adminRoleInAuth = false;
  };
  struct Project {
    std::int64_t id;
    std::string name;
    nlohmann::json metadata;
    std::int64_t ownerId;
    std::string creationTime;
    std::int64_t createdSeconds = 0;
    std::set<std::string> repositories;
  };
  struct Robot {
    std::int64_t id;
    std::string storedName; // "<project>+<name>" or "<name>"
    std::string description;
    std::string level;
    std::int64_t duration;
    std::int64_t expiresAt;
    bool disabled;
    PasswordHash secret;
    std::vector<RobotPermission> permissions;
    std::int64_t projectId = 0;
    std::string creatorType;
    std::int64_t creatorRef = 0; // the creating user's or robot's id
    std::string creationTime;
    std::string updateTime;
    std::chrono::system_clock::time_point created;
  };
  struct Principal {
    enum class Kind { kAnonymous, kUser, kRobot } kind = Kind::kAnonymous;
    std::string name;
    bool admin = false;
    const Robot* robot = nullptr;
    bool failedLogin = false; // Basic credentials were sent and did not match
  };
  // A /v2/ caller: a principal from Basic credentials, or a registry token.
  struct RegistryCaller {
    Principal basic;
    std::optional<RegistryClaims> token;
    bool authenticated() const;
  };

  // Harbor's credential chain. `login` false skips the failed-login lock,
  // neither checking nor setting it (for the test-only /_sim/ endpoint).
  Principal authenticate(const std::string& authorization, bool login = true);
  // Whether the readonly middleware refuses this request now.
  bool readOnlyRefuses(const std::string& method, const std::string& path) const;
  HarborResponse handleLocked(const HarborRequest& request, bool& failedLogin);
  const Project* projectNamed(const std::string& name) const;
  // pull/push/delete/scanner-pull the principal holds on the project's
  // repositories (NOTES §6).
  std::vector<std::string> repositoryActions(const Principal& who, const Project& project) const;
  bool registryAllows(const RegistryCaller& caller, const Project& project,
                      const std::string& action) const;
  bool robotAllows(const Robot& robot, const std::string& kind, const std::string& project,
                   const std::string& resource, const std::string& action) const;
  // The project permission check of base.go: 401 for anonymous, 403 otherwise,
  // 404 only for admins when the project is missing.
  HarborResult<const Project*> requireProject(const Principal& who, const std::string& nameOrId,
                                              bool byName, const std::string& resource,
                                              const std::string& action);

  HarborResult<HarborResponse> route(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> createProject(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> listProjects(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> deleteProject(const std::string& nameOrId, bool byName,
                                             const Principal& who);
  HarborResult<HarborResponse> updateProject(const HarborRequest& request,
                                             const std::string& nameOrId, bool byName,
                                             const Principal& who);
  HarborResult<HarborResponse> createRobot(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> listRobots(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> robotById(const HarborRequest& request, const Principal& who,
                                         std::int64_t id);
  HarborResult<HarborResponse> permissions(const Principal& who);
  HarborResult<HarborResponse> currentUser(const Principal& who);
  HarborResult<HarborResponse> serviceToken(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> createUser(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> configurations(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> repositories(const HarborRequest& request, const Principal& who,
                                            const std::string& projectName,
                                            const std::string& repository);

  nlohmann::json robotJson(const Robot& robot) const;
  std::int64_t creatorId(const Principal& who) const;
  std::string prefixed(const Robot& robot) const { return robotPrefix_ + robot.storedName; }
  std::string newSecret();
  std::string newRequestId();

  HarborOptions options_;
  std::unique_ptr<RegistryTokenIssuer> tokens_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  // Runtime configuration (PUT /configurations).
  std::string robotPrefix_ = "robot$";
  std::string projectCreationRestriction_ = "everyone";
  std::int64_t tokenExpirationMinutes_ = 30;
  bool readOnly_ = false;
  // src/core/auth/lock.go UserLock: when each principal last failed to log in.
  std::map<std::string, std::chrono::steady_clock::time_point> loginFailures_;
  std::vector<User> users_;
  std::map<std::int64_t, Project> projects_;
  std::map<std::int64_t, Robot> robots_;
  // Each table has its own sequence, as in Harbor's database.
  std::int64_t nextUserId_ = 1;
  std::int64_t nextProjectId_ = 1;
  std::int64_t nextRobotId_ = 1;
};

} // namespace harborrobot::harborsim

// Authentication, routing and the small endpoints of the simulated Harbor.
// Behaviour follows NOTES.md (Harbor main at v2.16.0-dev) with the version
// switches of HarborVersion.
#include "harbor_api.h"

#include <algorithm>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "harborrobot/util/base64.h"
#include "http_text.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

bool matchesPrefix(const std::string& path, const char* prefix) {
  return path.starts_with(prefix);
}

} // namespace

HarborError readOnlyError() {
  // src/server/middleware/readonly/readonly.go MiddlewareWithConfig.
  return denied("The system is in read only mode. Any modification is prohibited.");
}

bool HarborApi::readOnlyRefuses(const std::string& method, const std::string& path) const {
  if (!readOnly_)
    return false;
  // readonly.go safeMethodSkipper: GET, HEAD and OPTIONS always pass.
  if (method == "GET" || method == "HEAD" || method == "OPTIONS")
    return false;
  // src/core/middlewares/middlewares.go readonlySkippers (regexps anchored at
  // the start only): PUT /api/v2.0/configurations, so that read-only mode can
  // be switched off again, and POST /service/token (left to answer 405);
  // /c/login and the job hooks are not simulated.
  if (method == "PUT" && (matchesPrefix(path, "/api/v2.0/configurations") ||
                          matchesPrefix(path, "/api/internal/configurations")))
    return false;
  if (method == "POST" && matchesPrefix(path, "/service/token"))
    return false;
  return true;
}

HarborResponse jsonResponse(int status, const json& body) {
  HarborResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return response;
}

HarborApi::HarborApi(HarborOptions options, std::unique_ptr<RegistryTokenIssuer> tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)), random_(std::random_device{}()) {
  users_.push_back({nextUserId_++, "admin", hashPassword(options_.adminPassword), true});
  for (const auto& [name, password] : options_.extraAdmins) {
    users_.push_back({nextUserId_++, name, hashPassword(password), true});
  }
  for (const auto& [name, password] : options_.adminGroupUsers) {
    users_.push_back({nextUserId_++, name, hashPassword(password), false, true});
  }
  // A fresh Harbor has the public project "library" (id 1), owned by admin.
  projects_[nextProjectId_] = {
      nextProjectId_, "library", {{"public", "true"}}, 1, "2026-01-01T00:00:00.000Z", 0, {}};
  ++nextProjectId_;
}

std::string HarborApi::newRequestId() {
  const std::uint64_t high = random_();
  const std::uint64_t low = random_();
  // A version-4 UUID, as Harbor's request-id middleware generates.
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xfff, 0x8000 | (low >> 48 & 0x3fff), low & 0xffffffffffffULL);
}

std::string HarborApi::newSecret() {
  return generateRobotSecret([&] { return static_cast<unsigned char>(random_() & 0xff); });
}

HarborApi::Principal HarborApi::authenticate(const std::string& authorization, bool login) {
  Principal anonymous;
  if (!authorization.starts_with("Basic "))
    return anonymous;
  auto decoded = base64Decode(authorization.substr(6));
  if (!decoded)
    return anonymous;
  const std::string credentials(decoded->begin(), decoded->end());
  const auto colon = credentials.find(':');
  if (colon == std::string::npos)
    return anonymous;
  anonymous.failedLogin = true;
  const std::string name = credentials.substr(0, colon);
  const std::string secret = credentials.substr(colon + 1);
  // The robot step runs only for the prefix; failures fall through to user
  // login and, like it, end as anonymous rather than as an error.
  if (name.starts_with(robotPrefix_)) {
    const std::string stored = name.substr(robotPrefix_.size());
    const auto now = std::chrono::system_clock::now();
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    for (const auto& [id, robot] : robots_) {
      if (robot.storedName != stored)
        continue;
      if (!robot.disabled && (robot.expiresAt == -1 || robot.expiresAt > seconds) &&
          verifyPassword(secret, robot.secret))
        return {Principal::Kind::kRobot, name, false, &robot};
    }
  }
  if (!login) {
    anonymous.failedLogin = false;
    for (const auto& user : users_) {
      if (user.name == name && verifyPassword(secret, user.password))
        return {Principal::Kind::kUser, user.name, user.admin || user.adminRoleInAuth, nullptr};
    }
    return anonymous;
  }
  // src/core/auth/authenticator.go Login: a principal locked by a failure
  // within frozenTime is refused at once, right password or not, without a
  // new delay or a new lock (it returns nil, nil: anonymous).
  const auto now = std::chrono::steady_clock::now();
  if (const auto locked = loginFailures_.find(name);
      locked != loginFailures_.end() && now - locked->second <= options_.failedLoginDelay) {
    anonymous.failedLogin = false;
    return anonymous;
  }
  for (const auto& user : users_) {
    // src/common/security/local/context.go IsSysAdmin: sysadmin_flag ||
    // admin_role_in_auth (the second set by an LDAP/OIDC admin group).
    if (user.name == name && verifyPassword(secret, user.password))
      return {Principal::Kind::kUser, user.name, user.admin || user.adminRoleInAuth, nullptr};
  }
  // Login again: an ErrAuth (unknown user or wrong password, db_auth) locks
  // the principal as sent (UserLock.Lock) and sleeps frozenTime; the caller
  // sleeps outside the lock. Expired entries are dropped as the map grows.
  if (loginFailures_.size() > 4096)
    std::erase_if(loginFailures_, [&](const auto& entry) {
      return now - entry.second > options_.failedLoginDelay;
    });
  loginFailures_[name] = now;
  return anonymous;
}

bool HarborApi::robotAllows(const Robot& robot, const std::string& kind, const std::string& project,
                            const std::string& resource, const std::string& action) const {
  for (const auto& permission : robot.permissions) {
    if (permission.kind != kind)
      continue;
    if (kind == "project" && permission.ns != project && permission.ns != "*")
      continue;
    for (const auto& access : permission.access) {
      if (access.resource != resource || access.effect == "deny")
        continue;
      // Project robots also pull wherever they may push.
      if (access.action == action ||
          (robot.level == "project" && action == "pull" && access.action == "push"))
        return true;
    }
  }
  return false;
}

HarborResult<const HarborApi::Project*>
HarborApi::requireProject(const Principal& who, const std::string& nameOrId, bool byName,
                          const std::string& resource, const std::string& action) {
  const Project* project = nullptr;
  for (const auto& [id, candidate] : projects_) {
    if (byName ? candidate.name == nameOrId : std::to_string(id) == nameOrId)
      project = &candidate;
  }
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  if (who.admin)
    return project != nullptr ? HarborResult<const Project*>(project) : tl::unexpected(notFound());
  // A missing project is "no permission" for everyone but admins.
  if (project == nullptr)
    return tl::unexpected(forbidden());
  if (who.kind == Principal::Kind::kRobot &&
      !robotAllows(*who.robot, "project", project->name, resource, action))
    return tl::unexpected(forbidden());
  if (who.kind == Principal::Kind::kUser) {
    const auto owner = std::find_if(users_.begin(), users_.end(),
                                    [&](const User& user) { return user.name == who.name; });
    if (owner == users_.end() || owner->id != project->ownerId)
      return tl::unexpected(forbidden());
  }
  return project;
}

HarborResponse HarborApi::handle(const HarborRequest& request) {
  bool failedLogin = false;
  HarborResponse response;
  {
    std::lock_guard lock(mutex_);
    response = handleLocked(request, failedLogin);
  }
  // Harbor's failed-login delay holds the request, not the whole server.
  if (failedLogin && options_.failedLoginDelay.count() > 0)
    std::this_thread::sleep_for(options_.failedLoginDelay);
  return response;
}

bool HarborApi::isAdmin(const std::string& authorization) {
  std::lock_guard lock(mutex_);
  // The test-only /_sim/ endpoint neither waits for nor sets login locks.
  return authenticate(authorization, false).admin;
}

HarborResponse HarborApi::handleLocked(const HarborRequest& request, bool& failedLogin) {
  HarborResponse response;
  const auto requestId = request.headers.find("x-request-id");
  const std::string id = requestId != request.headers.end() ? requestId->second : newRequestId();
  Principal who;
  if (request.path == "/api/v2.0/ping") {
    response.contentType = "text/plain; charset=utf-8";
    response.body = "Pong";
  } else {
    // Cookies switch the CSRF check on; Basic-auth clients send none.
    const auto cookie = request.headers.find("cookie");
    const bool unsafe = request.method != "GET" && request.method != "HEAD";
    who = authenticate(request.authorization);
    failedLogin = who.failedLogin;
    // src/core/middlewares/middlewares.go MiddleWares: csrf, then security,
    // then readonly, all before any handler.
    HarborResult<HarborResponse> routed =
        unsafe && cookie != request.headers.end() &&
                cookie->second.find("sid=") != std::string::npos
            ? HarborResult<HarborResponse>(tl::unexpected(forbidden("CSRF token invalid")))
        : readOnlyRefuses(request.method, request.path)
            ? HarborResult<HarborResponse>(tl::unexpected(readOnlyError()))
            : route(request, who);
    if (routed) {
      response = std::move(*routed);
    } else {
      response = jsonResponse(routed.error().status, routed.error().body());
    }
  }
  response.headers.emplace_back("X-Request-Id", id);
  response.caller = who.name;
  return response;
}

HarborResult<HarborResponse> HarborApi::route(const HarborRequest& request, const Principal& who) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/api/version" && method == "GET")
    return jsonResponse(200, {{"version", "v2.0"}});
  if (path == "/api/v2.0/health" && method == "GET") {
    json components = json::array();
    for (const char* name :
         {"core", "database", "jobservice", "portal", "redis", "registry", "registryctl"})
      components.push_back({{"name", name}, {"status", "healthy"}});
    return jsonResponse(200, {{"status", "healthy"}, {"components", components}});
  }
  if (path == "/api/v2.0/systeminfo" && method == "GET") {
    json info = {{"auth_mode", "db_auth"},
                 {"primary_auth_mode", false},
                 {"self_registration", false},
                 {"banner_message", ""},
                 {"oidc_provider_name", ""}};
    if (who.kind != Principal::Kind::kAnonymous) {
      std::string host = options_.externalUrl;
      if (const auto scheme = host.find("://"); scheme != std::string::npos)
        host = host.substr(scheme + 3);
      info["harbor_version"] =
          fmt::format("v2.{}.{}-c50c7ddd", options_.version.minor, options_.version.patch);
      info["external_url"] = options_.externalUrl;
      info["registry_url"] = host;
      info["project_creation_restriction"] = projectCreationRestriction_;
      info["has_ca_root"] = true;
      info["read_only"] = readOnly_; // config.ReadOnly (systeminfo controller)
      info["registry_storage_provider_name"] = "filesystem";
      info["notification_enable"] = true;
      info["current_time"] = rfc3339Seconds(std::chrono::system_clock::now());
    }
    return jsonResponse(200, info);
  }
  if (path == "/api/v2.0/users/current/permissions" && method == "GET")
    return permissions(who);
  if (path == "/api/v2.0/users/current" && method == "GET")
    return currentUser(who);
  if (path == "/service/token")
    return serviceToken(request, who);
  if (path == "/api/v2.0/users")
    return method == "POST" ? createUser(request, who)
                            : HarborResult<HarborResponse>(tl::unexpected(methodNotAllowed()));
  if (path == "/api/v2.0/configurations")
    return configurations(request, who);
  if (path == "/api/v2.0/projects") {
    if (method == "POST")
      return createProject(request, who);
    if (method == "GET" || method == "HEAD")
      return listProjects(request, who);
    return tl::unexpected(methodNotAllowed());
  }
  if (path.starts_with("/api/v2.0/projects/")) {
    std::string key = path.substr(std::string("/api/v2.0/projects/").size());
    if (const auto slash = key.find("/repositories"); slash != std::string::npos) {
      std::string repository = key.substr(slash + std::string("/repositories").size());
      if (!repository.empty() && repository.front() == '/')
        repository = urlDecode(repository.substr(1));
      return repositories(request, who, key.substr(0, slash), repository);
    }
    if (key.ends_with("/robots") && !options_.version.atLeast(13) && method == "GET") {
      // The per-project robot listing of 2.12 (removed in 2.13, NOTES §7.15).
      auto project = requireProject(who, key.substr(0, key.size() - 7), false, "robot", "list");
      if (!project)
        return tl::unexpected(project.error());
      HarborRequest listing = request;
      listing.rawQuery = fmt::format("q=Level%3Dproject%2CProjectID%3D{}", (*project)->id);
      for (const char* key : {"page", "page_size"}) {
        if (const std::string value = queryValue(request.rawQuery, key); !value.empty())
          listing.rawQuery += fmt::format("&{}={}", key, value);
      }
      return listRobots(listing, who);
    }
    if (key.find('/') != std::string::npos)
      return tl::unexpected(notFound()); // no such route
    const auto header = request.headers.find("x-is-resource-name");
    const bool byName = key.find_first_not_of("0123456789") != std::string::npos ||
                        (header != request.headers.end() && header->second == "true");
    if (method == "DELETE")
      return deleteProject(key, byName, who);
    if (method == "PUT")
      return updateProject(request, key, byName, who);
    if (method == "GET") {
      auto project = requireProject(who, key, byName, "project", "read");
      if (!project)
        return tl::unexpected(project.error());
      return jsonResponse(200, {{"project_id", (*project)->id},
                                {"name", (*project)->name},
                                {"metadata", (*project)->metadata},
                                {"owner_id", (*project)->ownerId},
                                {"repo_count", (*project)->repositories.size()},
                                {"creation_time", (*project)->creationTime}});
    }
    return tl::unexpected(methodNotAllowed());
  }
  if (path == "/api/v2.0/robots") {
    if (method == "POST")
      return createRobot(request, who);
    if (method == "GET")
      return listRobots(request, who);
    return tl::unexpected(methodNotAllowed());
  }
  if (path.starts_with("/api/v2.0/robots/")) {
    const std::string key = path.substr(std::string("/api/v2.0/robots/").size());
    if (key.empty() || key.size() > 18 || key.find_first_not_of("0123456789") != std::string::npos)
      return tl::unexpected(
          unprocessable("robot_id in path must be of type int64: \"" + key + "\""));
    return robotById(request, who, std::stoll(key));
  }
  return tl::unexpected(notFound());
}

HarborResult<HarborResponse> HarborApi::currentUser(const Principal& who) {
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  // Only local users have a user record; robots get 412 (NOTES §1).
  if (who.kind == Principal::Kind::kRobot)
    return tl::unexpected(
        precondition("get current user not available for security context: robot"));
  const auto user = std::find_if(users_.begin(), users_.end(),
                                 [&](const User& candidate) { return candidate.name == who.name; });
  return jsonResponse(200, {{"user_id", user->id},
                            {"username", user->name},
                            {"email", user->name + "@example.com"},
                            {"realname", user->name},
                            {"comment", ""},
                            {"sysadmin_flag", user->admin},
                            {"admin_role_in_auth", user->adminRoleInAuth},
                            {"creation_time", "2026-01-01T00:00:00.000Z"},
                            {"update_time", "2026-01-01T00:00:00.000Z"}});
}

HarborResult<HarborResponse> HarborApi::permissions(const Principal& who) {
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  json list = json::array();
  if (who.kind == Principal::Kind::kRobot) {
    for (const auto& permission : who.robot->permissions) {
      for (const auto& access : permission.access) {
        // Project scopes are keyed by id, as RBAC namespaces are in Harbor.
        std::string projectKey = permission.ns;
        for (const auto& [id, project] : projects_) {
          if (project.name == permission.ns)
            projectKey = std::to_string(id);
        }
        const std::string scope = permission.kind == "system"
                                      ? "/" + access.resource
                                      : fmt::format("/project/{}/{}", projectKey, access.resource);
        list.push_back({{"resource", scope}, {"action", access.action}});
      }
    }
  } else if (who.admin) {
    list.push_back({{"resource", "*"}, {"action", "*"}});
  }
  return jsonResponse(200, list);
}

} // namespace harborrobot::harborsim

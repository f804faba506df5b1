// The registry side of Harbor core (NOTES.md §6): the token service at
// /service/token and the check core makes on /v2/ before the registry sees a
// request (src/server/middleware/v2auth).
#include <algorithm>
#include <ctime>
#include <map>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "harbor_api.h"
#include "http_text.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HarborResponse textResponse(int status, std::string text) {
  HarborResponse response;
  response.status = status;
  response.contentType = "text/plain; charset=utf-8";
  response.body = std::move(text) + "\n";
  return response;
}

// What a /v2/ path asks for: the login probe, the catalog, or an action on a
// repository (plus pull on the mount source of a cross-repository mount).
struct RegistryAccessNeed {
  enum class Target { kLogin, kCatalog, kRepository, kNone } target = Target::kNone;
  std::string repository;
  std::string action;
  std::string mountFrom;
  bool manifestPush = false;
};

RegistryAccessNeed registryNeed(const HarborRequest& request) {
  RegistryAccessNeed need;
  if (request.path == "/v2/" || request.path == "/v2") {
    need.target = RegistryAccessNeed::Target::kLogin;
    return need;
  }
  if (request.path == "/v2/_catalog") {
    need.target = RegistryAccessNeed::Target::kCatalog;
    return need;
  }
  // The repository name is everything before the first of these route parts.
  static const std::regex kRoute(
      "^/v2/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)/"
      "(manifests/[^/]+|blobs/uploads/?[^/]*|blobs/[^/]+|tags/list|referrers/[^/]+)$");
  std::smatch match;
  if (!std::regex_match(request.path, match, kRoute))
    return need;
  static const std::map<std::string, std::string> kActions = {
      {"GET", "pull"},   {"HEAD", "pull"}, {"POST", "push"},
      {"PATCH", "push"}, {"PUT", "push"},  {"DELETE", "delete"}};
  const auto action = kActions.find(request.method);
  if (action == kActions.end())
    return need;
  need.target = RegistryAccessNeed::Target::kRepository;
  need.repository = match[1];
  need.action = action->second;
  need.manifestPush = request.method == "PUT" && match[2].str().starts_with("manifests/");
  if (request.method == "POST" && !queryValue(request.rawQuery, "mount").empty())
    need.mountFrom = queryValue(request.rawQuery, "from");
  return need;
}

std::string projectOf(const std::string& repository) {
  return repository.substr(0, repository.find('/'));
}

} // namespace

bool HarborApi::RegistryCaller::authenticated() const {
  return token ? !token->subject.empty() : basic.kind != Principal::Kind::kAnonymous;
}

const HarborApi::Project* HarborApi::projectNamed(const std::string& name) const {
  for (const auto& [id, project] : projects_) {
    if (project.name == name)
      return &project;
  }
  return nullptr;
}

std::vector<std::string> HarborApi::repositoryActions(const Principal& who,
                                                      const Project& project) const {
  std::vector<std::string> actions;
  auto grant = [&](const std::string& action) {
    if (std::find(actions.begin(), actions.end(), action) == actions.end())
      actions.push_back(action);
  };
  if (who.admin) {
    for (const char* action : {"pull", "push", "delete", "scanner-pull"})
      grant(action);
  } else if (who.kind == Principal::Kind::kRobot) {
    for (const char* action : {"pull", "push", "delete"}) {
      if (robotAllows(*who.robot, "project", project.name, "repository", action))
        grant(action);
    }
  } else if (who.kind == Principal::Kind::kUser) {
    const auto user = std::find_if(users_.begin(), users_.end(), [&](const User& candidate) {
      return candidate.name == who.name;
    });
    // The owner is the project's admin; the simulator has no other members.
    if (user != users_.end() && user->id == project.ownerId) {
      for (const char* action : {"pull", "push", "delete"})
        grant(action);
    }
  }
  if (project.metadata.value("public", "false") == "true")
    grant("pull");
  return actions;
}

bool HarborApi::registryAllows(const RegistryCaller& caller, const Project& project,
                               const std::string& action) const {
  if (!caller.token) {
    const auto held = repositoryActions(caller.basic, project);
    return std::find(held.begin(), held.end(), action) != held.end();
  }
  // A token's access is keyed by project name (v2token/context.go). Since
  // 2.15.0 (backported to 2.14.3 and 2.13.5) a token older than the project
  // is refused, so a recreated project does not inherit old grants.
  const HarborVersion& version = options_.version;
  const bool checksAge = version.atLeast(15) || (version.minor == 14 && version.patch >= 3) ||
                         (version.minor == 13 && version.patch >= 5);
  if (checksAge && caller.token->issuedAt < project.createdSeconds)
    return false;
  for (const auto& entry : caller.token->access) {
    if (entry.type != "repository" || projectOf(entry.name) != project.name)
      continue;
    for (const auto& granted : entry.actions) {
      if (granted == action || (granted == "*" && action != "scanner-pull"))
        return true;
    }
  }
  return false;
}

HarborResult<HarborResponse> HarborApi::serviceToken(const HarborRequest& request,
                                                     const Principal& who) {
  if (request.method != "GET")
    return tl::unexpected(methodNotAllowed());
  const std::string service = queryValue(request.rawQuery, "service");
  if (service != kRegistryService)
    return textResponse(400, "Unable to handle service: " + service);
  std::vector<ResourceActions> requested;
  for (const auto& scope : queryValues(request.rawQuery, "scope")) {
    for (auto& entry : parseScope(scope))
      requested.push_back(std::move(entry));
  }
  // No credentials and nothing asked: 401 with an empty body, so that
  // `docker login` with a wrong password fails.
  if (who.kind == Principal::Kind::kAnonymous && requested.empty()) {
    HarborResponse refusal;
    refusal.status = 401;
    return refusal;
  }
  RegistryClaims claims;
  claims.subject = who.name;
  // src/core/service/token/authutils.go filterAccess: every scope stays in the
  // token; a type without a filter, or a filter error, leaves it no actions.
  for (auto& entry : requested) {
    if (entry.type == "repository") {
      // creator.go repositoryFilter.filter: the requested actions are
      // replaced by resourceScopes, i.e. those of actionScopeMap (pull, push,
      // delete, scanner-pull, nothing else) the caller may do on the
      // project's repositories; parseImg needs a '/', and an unknown project
      // gets none.
      const Project* project =
          entry.name.find('/') != std::string::npos ? projectNamed(projectOf(entry.name)) : nullptr;
      entry.actions =
          project != nullptr ? repositoryActions(who, *project) : std::vector<std::string>{};
    } else if (entry.type == "registry") {
      // creator.go registryFilter.filter: only "catalog"; a system admin keeps
      // the actions asked for, anyone else gets none.
      if (entry.name != "catalog" || !who.admin)
        entry.actions.clear();
    } else {
      // filterAccess: "No filter found for access type", access set empty.
      entry.actions.clear();
    }
    claims.access.push_back(std::move(entry));
  }
  const std::int64_t expiresIn = tokenExpirationMinutes_ * 60;
  claims.issuedAt = unixNow();
  claims.expiresAt = claims.issuedAt + expiresIn;
  HarborResponse response;
  response.body = json{{"token", tokens_->issue(claims)},
                       {"access_token", ""},
                       {"expires_in", expiresIn},
                       {"issued_at", rfc3339Seconds(std::chrono::system_clock::time_point(
                                         std::chrono::seconds(claims.issuedAt)))}}
                      .dump() +
                  "\n";
  return response;
}

RegistryGate HarborApi::authorizeRegistry(const HarborRequest& request) {
  RegistryGate gate;
  bool failedLogin = false;
  {
    std::lock_guard lock(mutex_);
    RegistryCaller caller;
    if (request.authorization.starts_with("Bearer ")) {
      // An invalid token yields no identity: the request is anonymous.
      auto claims = tokens_->verify(request.authorization.substr(7), unixNow());
      if (claims)
        caller.token = std::move(*claims);
    } else {
      caller.basic = authenticate(request.authorization);
      failedLogin = caller.basic.failedLogin;
    }
    const RegistryAccessNeed need = registryNeed(request);
    std::string refusal;
    bool projectMissing = false;
    if (readOnlyRefuses(request.method, request.path)) {
      // The readonly middleware is global in core (middlewares.go
      // MiddleWares), ahead of the /v2/ routes and their v2auth check: a
      // push, delete or upload gets its 403 DENIED, never a challenge.
      gate.refusal = jsonResponse(403, readOnlyError().body());
    } else if (need.target == RegistryAccessNeed::Target::kNone) {
      // Harbor would pass these on and the registry would answer 404; the
      // simulator answers itself so nothing reaches the registry unchecked.
      HarborResponse response;
      response.status = 404;
      response.body = HarborError{404, "NOT_FOUND", "resource not found"}.body().dump() + "\n";
      response.headers.emplace_back("Docker-Distribution-Api-Version", "registry/2.0");
      gate.refusal = std::move(response);
    } else if (need.target == RegistryAccessNeed::Target::kLogin && !caller.authenticated()) {
      refusal = "unauthorized";
    } else if (need.target == RegistryAccessNeed::Target::kCatalog &&
               !(caller.basic.admin && !caller.token)) {
      refusal = "unauthorized to list catalog";
    } else if (need.target == RegistryAccessNeed::Target::kRepository) {
      // CLI clients must see a challenge on HEAD, whatever the project (#11271).
      if (request.authorization.empty() && request.method == "HEAD")
        refusal = "authorize header needed to send HEAD to repository";
      std::vector<std::pair<std::string, std::string>> checks = {{need.repository, need.action}};
      if (!need.mountFrom.empty())
        checks.emplace_back(need.mountFrom, "pull");
      for (const auto& [repository, action] : checks) {
        if (!refusal.empty())
          break;
        const Project* project = projectNamed(projectOf(repository));
        if (project == nullptr) {
          refusal = fmt::format("project {} not found", projectOf(repository));
          projectMissing = true;
        } else if (!registryAllows(caller, *project, action)) {
          refusal =
              fmt::format("unauthorized to access repository: {}, action: {}", repository, action);
        }
      }
      gate.project = projectOf(need.repository);
      gate.repository = need.repository;
      gate.manifestPush = need.manifestPush;
    }
    if (!refusal.empty()) {
      HarborResponse response;
      response.status = 401;
      response.body = HarborError{401, "UNAUTHORIZED", refusal}.body().dump() + "\n";
      response.headers.emplace_back("Docker-Distribution-Api-Version", "registry/2.0");
      std::string challenge;
      if (projectMissing) {
        // Harbor returns the lookup error before it computes a challenge.
      } else if (!request.authorization.empty() ||
                 need.target == RegistryAccessNeed::Target::kCatalog) {
        challenge = "Basic realm=\"harbor\"";
      } else {
        challenge = fmt::format("Bearer realm=\"{}/service/token\",service=\"{}\"",
                                options_.externalUrl, kRegistryService);
        if (need.target == RegistryAccessNeed::Target::kRepository) {
          const std::string actions = need.action == "push" ? "pull,push" : need.action;
          std::string scope = fmt::format("repository:{}:{}", need.repository, actions);
          if (!need.mountFrom.empty())
            scope += fmt::format(" repository:{}:pull", need.mountFrom);
          challenge += fmt::format(",scope=\"{}\"", scope);
        }
      }
      response.headers.emplace_back("Www-Authenticate", challenge);
      gate.refusal = std::move(response);
    }
    gate.caller = caller.token ? caller.token->subject : caller.basic.name;
    if (gate.refusal)
      gate.refusal->caller = gate.caller;
  }
  if (failedLogin && options_.failedLoginDelay.count() > 0)
    std::this_thread::sleep_for(options_.failedLoginDelay);
  return gate;
}

void HarborApi::recordRepository(const std::string& project, const std::string& repository) {
  std::lock_guard lock(mutex_);
  for (auto& [id, candidate] : projects_) {
    if (candidate.name == project)
      candidate.repositories.insert(repository);
  }
}

} // namespace harborrobot::harborsim

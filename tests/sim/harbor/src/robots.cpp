// /api/v2.0/robots (NOTES.md §3): create, list, get, update, refresh, delete.
#include <fmt/format.h>

#include "harbor_api.h"
#include "http_text.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

std::int64_t expiryFor(std::chrono::system_clock::time_point created, std::int64_t days) {
  if (days == -1)
    return -1;
  return std::chrono::duration_cast<std::chrono::seconds>(created.time_since_epoch()).count() +
         days * 86400;
}

} // namespace

json HarborApi::robotJson(const Robot& robot) const {
  json permissions = json::array();
  for (const auto& permission : robot.permissions) {
    json access = json::array();
    for (const auto& item : permission.access)
      access.push_back(
          {{"resource", item.resource}, {"action", item.action}, {"effect", item.effect}});
    permissions.push_back(
        {{"kind", permission.kind}, {"namespace", permission.ns}, {"access", access}});
  }
  json out = {{"id", robot.id},
              {"name", prefixed(robot)},
              {"description", robot.description},
              {"level", robot.level},
              {"duration", robot.duration},
              {"editable", true},
              {"disable", robot.disabled},
              {"expires_at", robot.expiresAt},
              {"permissions", permissions},
              {"creation_time", robot.creationTime},
              {"update_time", robot.updateTime}};
  if (options_.version.atLeast(12)) {
    out["creator_type"] = robot.creatorType;
    out["creator_ref"] = robot.creatorRef;
  }
  return out;
}

std::int64_t HarborApi::creatorId(const Principal& who) const {
  if (who.kind == Principal::Kind::kRobot)
    return who.robot->id;
  for (const auto& user : users_) {
    if (user.name == who.name)
      return user.id;
  }
  return 0;
}

HarborResult<HarborResponse> HarborApi::createRobot(const HarborRequest& request,
                                                    const Principal& who) {
  const json body = json::parse(request.body, nullptr, false);
  auto parsed = parseRobotRequest(body, options_.version, false);
  if (!parsed)
    return tl::unexpected(parsed.error());
  const RobotRequest& wanted = *parsed;
  // 4. Access: project robots need robot:create on the project, system robots
  // system robot:create.
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  std::int64_t projectId = 0;
  std::string storedName = wanted.name;
  if (wanted.level == "project") {
    const std::string project = wanted.permissions.front().ns;
    auto found = requireProject(who, project, true, "robot", "create");
    if (!found)
      return tl::unexpected(found.error());
    projectId = (*found)->id;
    storedName = project + "+" + wanted.name;
  } else if (!who.admin && !(who.kind == Principal::Kind::kRobot &&
                             robotAllows(*who.robot, "system", "/", "robot", "create"))) {
    return tl::unexpected(forbidden(who.name));
  }
  // 5. A robot may only hand out what it holds itself (2.12+).
  if (who.kind == Principal::Kind::kRobot &&
      !withinCreatorScope(options_.version, who.robot->level, who.robot->permissions, wanted.level,
                          wanted.permissions))
    return tl::unexpected(denied("permission scope is invalid. It must be equal to or "
                                 "more restrictive than the creator's robot's permissions"));
  // 6. Namespaces name existing projects.
  for (const auto& permission : wanted.permissions) {
    if (permission.kind != "project" || permission.ns == "*")
      continue;
    const bool exists = std::any_of(projects_.begin(), projects_.end(), [&](const auto& entry) {
      return entry.second.name == permission.ns;
    });
    if (!exists)
      return tl::unexpected(who.admin ? notFound() : forbidden());
  }
  // 7. One stored name per scope.
  for (const auto& [id, robot] : robots_) {
    if (robot.storedName == storedName && robot.projectId == projectId) {
      return tl::unexpected(
          conflict(fmt::format("robot account {}:{} already exists", projectId, storedName)));
    }
  }
  const std::string secret = newSecret();
  const auto now = std::chrono::system_clock::now();
  const std::int64_t id = nextRobotId_++;
  Robot robot{id,
              storedName,
              wanted.description,
              wanted.level,
              wanted.duration,
              expiryFor(now, wanted.duration),
              wanted.disable,
              hashPassword(secret),
              wanted.permissions,
              projectId,
              who.kind == Principal::Kind::kRobot ? "robot" : "local",
              creatorId(who),
              rfc3339Millis(now),
              rfc3339Millis(now),
              now};
  robots_.emplace(id, robot);
  HarborResponse response = jsonResponse(201, {{"id", id},
                                               {"name", prefixed(robot)},
                                               {"secret", secret},
                                               {"creation_time", robot.creationTime},
                                               {"expires_at", robot.expiresAt}});
  response.headers.emplace_back("Location", fmt::format("/api/v2.0/robots/{}", id));
  return response;
}

HarborResult<HarborResponse> HarborApi::listRobots(const HarborRequest& request,
                                                   const Principal& who) {
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  // q arrives URL-encoded once more than the rest of the query.
  auto terms = parseRobotQuery(urlDecode(queryValue(request.rawQuery, "q")));
  if (!terms)
    return tl::unexpected(terms.error());
  const std::string level = queryValue(request.rawQuery, "Level");
  std::int64_t projectId = 0;
  if (level == "project") {
    const std::string text = queryValue(request.rawQuery, "ProjectID");
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 18 || std::stoll(text) <= 0)
      return tl::unexpected(badRequest("Must with project ID when to query project robots"));
    projectId = std::stoll(text);
    const auto project = projects_.find(projectId);
    auto allowed = requireProject(who, std::to_string(projectId), false, "robot", "list");
    if (!allowed)
      return tl::unexpected(allowed.error());
    (void)project;
  } else if (!who.admin && !(who.kind == Principal::Kind::kRobot &&
                             robotAllows(*who.robot, "system", "/", "robot", "list"))) {
    return tl::unexpected(forbidden(who.name));
  }
  std::vector<const Robot*> matches;
  for (const auto& [id, robot] : robots_) {
    if (robot.projectId != projectId)
      continue;
    bool keep = true;
    for (const auto& term : *terms) {
      if (term.key == "name") {
        const std::string& value = term.values.front();
        keep = keep && (term.match == QueryTerm::Match::kFuzzy
                            ? robot.storedName.find(value) != std::string::npos
                            : robot.storedName == value);
      } else if (term.key == "disabled") {
        keep = keep && (robot.disabled ? "true" : "false") == term.values.front();
      }
    }
    if (keep)
      matches.push_back(&robot);
  }
  std::sort(matches.begin(), matches.end(),
            [](const Robot* a, const Robot* b) { return a->storedName < b->storedName; });
  const std::string pageText = queryValue(request.rawQuery, "page");
  const std::string sizeText = queryValue(request.rawQuery, "page_size");
  const long page = pageText.empty() ? 1 : std::max(1L, std::atol(pageText.c_str()));
  const long size = sizeText.empty() ? 10 : std::atol(sizeText.c_str());
  if (size > 100)
    return tl::unexpected(unprocessable("page_size in query should be less than or equal to 100"));
  json list = json::array();
  const std::size_t first = size == 0 ? 0 : static_cast<std::size_t>((page - 1) * size);
  for (std::size_t i = first; i < matches.size() && (size == 0 || i < first + size); ++i)
    list.push_back(robotJson(*matches[i]));
  HarborResponse response = jsonResponse(200, list);
  response.headers.emplace_back("X-Total-Count", std::to_string(matches.size()));
  std::vector<std::string> links;
  if (size > 0 && page > 1)
    links.push_back(
        fmt::format("</api/v2.0/robots?page={}&page_size={}>; rel=\"prev\"", page - 1, size));
  if (size > 0 && first + size < matches.size())
    links.push_back(
        fmt::format("</api/v2.0/robots?page={}&page_size={}>; rel=\"next\"", page + 1, size));
  if (!links.empty()) {
    std::string joined;
    for (const auto& link : links)
      joined += (joined.empty() ? "" : " , ") + link;
    response.headers.emplace_back("Link", joined);
  }
  return response;
}

HarborResult<HarborResponse> HarborApi::robotById(const HarborRequest& request,
                                                  const Principal& who, std::int64_t id) {
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  const auto found = robots_.find(id);
  if (found == robots_.end())
    return tl::unexpected(notFound(fmt::format("robot {} not found", id)));
  Robot& robot = found->second;
  const std::string& method = request.method;
  const std::string action = method == "GET" ? "read" : method == "DELETE" ? "delete" : "update";
  bool allowed = who.admin;
  if (!allowed && who.kind == Principal::Kind::kRobot) {
    // robot:update does not exist since 2.12: no robot updates or refreshes robots.
    const std::string project = robot.projectId != 0 && projects_.contains(robot.projectId)
                                    ? projects_.at(robot.projectId).name
                                    : "/";
    allowed =
        action != "update" && robotAllows(*who.robot, robot.projectId != 0 ? "project" : "system",
                                          project, "robot", action);
  }
  if (!allowed && who.kind == Principal::Kind::kUser && robot.projectId != 0) {
    allowed = static_cast<bool>(
        requireProject(who, std::to_string(robot.projectId), false, "robot", action));
  }
  if (method == "GET") {
    if (!allowed)
      return tl::unexpected(forbidden());
    return jsonResponse(200, robotJson(robot));
  }
  if (method == "DELETE") {
    if (!allowed)
      return tl::unexpected(forbidden());
    robots_.erase(found);
    return HarborResponse{};
  }
  if (method == "PATCH") {
    if (!allowed)
      return tl::unexpected(forbidden());
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object())
      return tl::unexpected(unprocessable("the request body must be a JSON object"));
    const std::string supplied = body.value("secret", "");
    robot.updateTime = rfc3339Millis(std::chrono::system_clock::now());
    if (supplied.empty()) {
      const std::string secret = newSecret();
      robot.secret = hashPassword(secret);
      return jsonResponse(200, {{"secret", secret}});
    }
    if (!acceptableRobotSecret(supplied)) {
      return tl::unexpected(
          badRequest("the secret must be 8-128 characters long with at least 1 uppercase letter, 1 "
                     "lowercase letter and 1 number"));
    }
    robot.secret = hashPassword(supplied);
    return jsonResponse(200, json::object());
  }
  if (method == "PUT") {
    const json body = json::parse(request.body, nullptr, false);
    auto parsed = parseRobotRequest(body, options_.version, true);
    if (!parsed)
      return tl::unexpected(parsed.error());
    if (robot.level == "project" &&
        parsed->permissions.front().ns != projects_.at(robot.projectId).name)
      return tl::unexpected(badRequest("cannot update the project of robot"));
    if (!allowed)
      return tl::unexpected(forbidden());
    if (parsed->name != prefixed(robot) || parsed->level != robot.level)
      return tl::unexpected(badRequest("cannot update the level or name of robot"));
    robot.description = parsed->description;
    robot.disabled = parsed->disable;
    robot.permissions = parsed->permissions;
    if (parsed->durationGiven) {
      robot.duration = parsed->duration;
      robot.expiresAt = expiryFor(robot.created, robot.duration);
    }
    robot.updateTime = rfc3339Millis(std::chrono::system_clock::now());
    return HarborResponse{};
  }
  return tl::unexpected(methodNotAllowed());
}

} // namespace harborrobot::harborsim

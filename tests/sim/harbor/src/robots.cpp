// /api/v2.0/robots (NOTES.md §3): create, list, get, update, refresh, delete.
#include <algorithm>
#include <cctype>
#include <functional>
#include <variant>

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

// Whether an insert or update of these values fails in PostgreSQL: robot.name
// varchar(255), robot.description varchar(1024) (0004_1.8.0_schema.up.sql),
// lengths in characters.
bool exceedsRobotColumns(const std::string& storedName, const std::string& description) {
  const auto characters = [](const std::string& text) {
    return std::count_if(text.begin(), text.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; });
  };
  return characters(storedName) > 255 || characters(description) > 1024;
}

// strconv.ParseInt(s, 10, 64).
std::optional<std::int64_t> parseGoInt64(const std::string& text) {
  std::size_t digits = text.starts_with('+') || text.starts_with('-') ? 1 : 0;
  if (text.size() == digits || text.find_first_not_of("0123456789", digits) != std::string::npos)
    return std::nullopt;
  try {
    return std::stoll(text);
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}

// page (default 1) and page_size (default 10, at most 100) as go-swagger binds
// them from the swagger's parameters: an empty value keeps the default, a
// non-integer or page_size > 100 is a 422.
HarborResult<std::pair<std::int64_t, std::int64_t>> bindPaging(const std::string& rawQuery) {
  std::int64_t page = 1;
  std::int64_t size = 10;
  for (auto [key, target] : {std::pair{"page", &page}, std::pair{"page_size", &size}}) {
    const auto values = parseQuery(rawQuery);
    const auto found = std::find_if(values.begin(), values.end(),
                                    [&](const auto& entry) { return entry.first == key; });
    if (found == values.end() || found->second.empty())
      continue;
    const auto parsed = parseGoInt64(found->second);
    if (!parsed)
      return tl::unexpected(unprocessable(
          fmt::format("{} in query must be of type int64: \"{}\"", key, found->second)));
    *target = *parsed;
  }
  if (size > 100)
    return tl::unexpected(unprocessable("page_size in query should be less than or equal to 100"));
  return std::pair{page, size};
}

// src/lib/orm/metadata.go snakeCase, for keys written in Go's field style.
std::string snakeCase(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto upper = [&](std::size_t at) {
      return std::isupper(static_cast<unsigned char>(text[at]));
    };
    const auto lower = [&](std::size_t at) {
      return std::islower(static_cast<unsigned char>(text[at]));
    };
    if (i > 0 && upper(i) && ((i + 1 < text.size() && lower(i + 1)) || lower(i - 1)))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  return out;
}

// A column of the robot table (src/pkg/robot/model/model.go), by its Go field
// name or its column name, as src/lib/orm/metadata.go parseModel keys them.
using RobotColumnValue = std::variant<std::string, std::int64_t, bool>;
template <typename Robot>
std::optional<RobotColumnValue> robotColumn(const Robot& robot, const std::string& key) {
  if (key == "ID" || key == "id")
    return robot.id;
  if (key == "Name" || key == "name")
    return robot.storedName;
  if (key == "Description" || key == "description")
    return robot.description;
  if (key == "Duration" || key == "duration")
    return robot.duration;
  if (key == "ProjectID" || key == "project_id")
    return robot.projectId;
  if (key == "ExpiresAt" || key == "expiresat")
    return robot.expiresAt;
  if (key == "Disabled" || key == "disabled")
    return robot.disabled;
  if (key == "Visible" || key == "visible")
    return true; // the simulator stores only visible (API-created) robots
  if (key == "CreatorRef" || key == "creator_ref")
    return robot.creatorRef;
  if (key == "CreatorType" || key == "creator_type")
    return robot.creatorType;
  if (key == "CreationTime" || key == "creation_time")
    return robot.creationTime;
  if (key == "UpdateTime" || key == "update_time")
    return robot.updateTime;
  return std::nullopt; // Secret and Salt are filter:"false"; other keys are no columns
}

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// One keyword of `q` against a robot, as src/lib/orm/query.go setFilters turns
// it into SQL: exact, icontains for ~, gte/lte for ranges, in for {…}; (…)
// is left to DAOs and ignored here; keys that are no column are ignored.
template <typename Robot> bool robotMatches(const Robot& robot, const QueryTerm& term) {
  if (term.key.find("__") != std::string::npos)
    return true; // operator suffixes (name__icontains, …) are not simulated
  auto column = robotColumn(robot, term.key);
  if (!column)
    column = robotColumn(robot, snakeCase(term.key));
  if (!column)
    return true;
  const auto text = std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>)
          return value;
        else if constexpr (std::is_same_v<T, bool>)
          return value ? "true" : "false";
        else
          return std::to_string(value);
      },
      *column);
  // The database compares numbers as numbers and booleans as booleans.
  const auto equals = [&](const std::string& wanted) {
    if (const auto* number = std::get_if<std::int64_t>(&*column))
      return parseGoInt64(wanted) == *number;
    if (const auto* flag = std::get_if<bool>(&*column)) {
      const std::string lower = lowerCase(wanted);
      return (lower == "true" || lower == "t" || lower == "1") == *flag &&
             (lower == "true" || lower == "t" || lower == "1" || lower == "false" || lower == "f" ||
              lower == "0");
    }
    return wanted == text;
  };
  const auto compare = [&](const std::string& bound) {
    if (const auto* number = std::get_if<std::int64_t>(&*column)) {
      const auto limit = parseGoInt64(bound);
      return limit ? (*number < *limit ? -1 : *number > *limit ? 1 : 0) : 0;
    }
    return text.compare(bound) < 0 ? -1 : text.compare(bound) > 0 ? 1 : 0;
  };
  switch (term.match) {
  case QueryTerm::Match::kExact:
    return equals(term.values.front());
  case QueryTerm::Match::kFuzzy:
    return lowerCase(text).find(lowerCase(term.values.front())) != std::string::npos;
  case QueryTerm::Match::kRange:
    return (term.values[0].empty() || compare(term.values[0]) >= 0) &&
           (term.values[1].empty() || compare(term.values[1]) <= 0);
  case QueryTerm::Match::kAnyOf:
    return std::any_of(term.values.begin(), term.values.end(), equals);
  case QueryTerm::Match::kAllOf:
    return true;
  }
  return true;
}

// src/lib/q/builder.go ParseSorting and src/lib/orm/query.go setSorts: keys
// that are no sortable column are dropped; with none left, the model's
// default sort, name ascending (model.go `sort:"default"`).
template <typename Robot>
void sortRobots(std::vector<const Robot*>& robots, const std::string& sort) {
  if (robots.empty())
    return;
  std::vector<std::pair<std::string, bool>> keys; // key, descending
  std::size_t at = 0;
  while (!sort.empty() && at <= sort.size()) {
    const auto comma = sort.find(',', at);
    std::string key = sort.substr(at, comma == std::string::npos ? comma : comma - at);
    at = comma == std::string::npos ? sort.size() + 1 : comma + 1;
    const bool descending = key.starts_with('-');
    if (descending)
      key = key.substr(1);
    if (robotColumn(*robots.front(), key))
      keys.emplace_back(key, descending);
  }
  if (keys.empty())
    keys.emplace_back("name", false);
  std::stable_sort(robots.begin(), robots.end(), [&](const Robot* a, const Robot* b) {
    for (const auto& [key, descending] : keys) {
      const auto left = *robotColumn(*a, key);
      const auto right = *robotColumn(*b, key);
      if (left == right)
        continue;
      return descending ? right < left : left < right;
    }
    return false;
  });
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
  // robot.name is varchar(255) and robot.description varchar(1024)
  // (make/migrations/postgresql/0004_1.8.0_schema.up.sql); neither
  // CreateRobot nor controller.Create checks the stored "<project>+<name>",
  // so the insert fails in the database: dao.Create's error is no conflict and
  // SendError turns it into a 500.
  if (exceedsRobotColumns(storedName, wanted.description))
    return tl::unexpected(internalError());
  const std::string secret = newSecret();
  const auto now = std::chrono::system_clock::now();
  const std::int64_t id = nextRobotId_++;
  Robot robot{id,
              storedName,
              wanted.description,
              wanted.level,
              wanted.duration,
              expiryFor(now, wanted.duration),
              false, // CreateRobot copies no `disable` (nor `secret`) from the body
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
  // go-swagger binds page and page_size before the handler runs, so their
  // 422s come even before ListRobot's RequireAuthenticated.
  auto paging = bindPaging(request.rawQuery);
  if (!paging)
    return tl::unexpected(paging.error());
  const auto [page, size] = *paging;
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  // src/server/v2.0/handler/base.go BuildQuery -> src/lib/q/builder.go Build:
  // the keywords come from `q` alone, which go-swagger has decoded once and
  // parseKeywords unescapes once more (kept as is when that fails).
  std::string q;
  std::string sort;
  for (const auto& [key, value] : parseQuery(request.rawQuery)) {
    if (key == "q" && q.empty())
      q = value;
    else if (key == "sort" && sort.empty())
      sort = value;
  }
  auto terms = parseRobotQuery(queryUnescape(q).value_or(q));
  if (!terms)
    return tl::unexpected(terms.error());
  // Keywords is a map: a repeated key keeps its last value.
  std::map<std::string, QueryTerm> keywords;
  for (auto& term : *terms)
    keywords[term.key] = std::move(term);
  // src/server/v2.0/handler/robot.go ListRobot: Level and ProjectID are read
  // from query.Keywords only; top-level ?Level=&ProjectID= never reach it.
  std::string level = "system";
  std::int64_t projectId = 0;
  const auto exact = [&](const char* key) -> HarborResult<std::string> {
    const QueryTerm& term = keywords.at(key);
    // query.Keywords[key].(string) panics on a pattern value (a *q.Range, …);
    // the request fails on the server. The simulator answers a plain 500.
    if (term.match != QueryTerm::Match::kExact)
      return tl::unexpected(internalError());
    return term.values.front();
  };
  if (keywords.contains("Level")) {
    auto wanted = exact("Level");
    if (!wanted)
      return tl::unexpected(wanted.error());
    if (*wanted != "system" && *wanted != "project")
      return tl::unexpected(badRequest("bad request error level input"));
    level = *wanted;
    if (level == "project") {
      if (!keywords.contains("ProjectID"))
        return tl::unexpected(badRequest("must with project ID when to query project robots"));
      auto text = exact("ProjectID");
      if (!text)
        return tl::unexpected(text.error());
      const auto parsed = parseGoInt64(*text);
      // 2.13 added `pid <= 0` to the check and reworded it.
      if (options_.version.atLeast(13)) {
        if (!parsed || *parsed <= 0)
          return tl::unexpected(badRequest("ProjectID must be a positive integer"));
      } else if (!parsed) {
        return tl::unexpected(badRequest("Project ID must be int type."));
      }
      projectId = *parsed;
    } else if (options_.version.atLeast(13)) {
      // Up to 2.12 Level=system left ProjectID alone: every robot was listed.
      keywords["ProjectID"] = {"ProjectID", QueryTerm::Match::kExact, {"0"}};
    }
  } else {
    keywords["ProjectID"] = {"ProjectID", QueryTerm::Match::kExact, {"0"}};
  }
  // requireAccess: system robot:list, or project robot:list on the project
  // *id*, which admins hold without any lookup (so an unknown id is 200 []).
  if (level == "system") {
    if (!who.admin && !(who.kind == Principal::Kind::kRobot &&
                        robotAllows(*who.robot, "system", "/", "robot", "list")))
      return tl::unexpected(forbidden(who.name));
  } else if (!who.admin) {
    auto allowed = requireProject(who, std::to_string(projectId), false, "robot", "list");
    if (!allowed)
      return tl::unexpected(allowed.error());
  }
  std::vector<const Robot*> matches;
  for (const auto& [id, robot] : robots_) {
    if (std::all_of(keywords.begin(), keywords.end(),
                    [&](const auto& entry) { return robotMatches(robot, entry.second); }))
      matches.push_back(&robot);
  }
  sortRobots(matches, sort);
  json list = json::array();
  // src/lib/orm/query.go QuerySetter: a limit only for page_size > 0, an
  // offset only for page > 0.
  const std::int64_t first = size > 0 && page > 0 ? (page - 1) * size : 0;
  for (std::int64_t i = first;
       i < static_cast<std::int64_t>(matches.size()) && (size <= 0 || i < first + size); ++i)
    list.push_back(robotJson(*matches[static_cast<std::size_t>(i)]));
  HarborResponse response = jsonResponse(200, list);
  const auto total = static_cast<std::int64_t>(matches.size());
  response.headers.emplace_back("X-Total-Count", std::to_string(total));
  if (auto links = paginationLinks(request.path, request.rawQuery, total, page, size);
      !links.empty())
    response.headers.emplace_back("Link", std::move(links));
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
    // The update writes description into its varchar(1024) column unchecked.
    if (exceedsRobotColumns(robot.storedName, parsed->description))
      return tl::unexpected(internalError());
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

// The simulator's state as one JSON document, so a test can stop an instance
// and start it again with the same users, projects and robots. Secrets are
// kept only as their PBKDF2 hashes, as in Harbor's database.
#include <fmt/format.h>

#include "harbor_api.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

json permissionsJson(const std::vector<RobotPermission>& permissions) {
  json list = json::array();
  for (const auto& permission : permissions) {
    json access = json::array();
    for (const auto& entry : permission.access)
      access.push_back(
          {{"resource", entry.resource}, {"action", entry.action}, {"effect", entry.effect}});
    list.push_back({{"kind", permission.kind}, {"namespace", permission.ns}, {"access", access}});
  }
  return list;
}

std::vector<RobotPermission> permissionsFrom(const json& list) {
  std::vector<RobotPermission> permissions;
  for (const auto& item : list) {
    RobotPermission permission{item.at("kind"), item.at("namespace"), {}};
    for (const auto& entry : item.at("access"))
      permission.access.push_back({entry.at("resource"), entry.at("action"), entry.at("effect")});
    permissions.push_back(std::move(permission));
  }
  return permissions;
}

} // namespace

json HarborApi::snapshot() {
  std::lock_guard lock(mutex_);
  json users = json::array();
  for (const auto& user : users_)
    users.push_back({{"id", user.id},
                     {"name", user.name},
                     {"salt", user.password.salt},
                     {"hash", user.password.hash},
                     {"admin", user.admin},
                     {"admin_role_in_auth", user.adminRoleInAuth}});
  json projects = json::array();
  for (const auto& [id, project] : projects_)
    projects.push_back({{"id", id},
                        {"name", project.name},
                        {"metadata", project.metadata},
                        {"owner_id", project.ownerId},
                        {"creation_time", project.creationTime},
                        {"created_seconds", project.createdSeconds},
                        {"repositories", project.repositories}});
  json robots = json::array();
  for (const auto& [id, robot] : robots_)
    robots.push_back({{"id", id},
                      {"stored_name", robot.storedName},
                      {"description", robot.description},
                      {"level", robot.level},
                      {"duration", robot.duration},
                      {"expires_at", robot.expiresAt},
                      {"disabled", robot.disabled},
                      {"salt", robot.secret.salt},
                      {"hash", robot.secret.hash},
                      {"permissions", permissionsJson(robot.permissions)},
                      {"project_id", robot.projectId},
                      {"creator_type", robot.creatorType},
                      {"creator_ref", robot.creatorRef},
                      {"creation_time", robot.creationTime},
                      {"update_time", robot.updateTime},
                      {"created_seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                              robot.created.time_since_epoch())
                                              .count()}});
  return {{"users", users},
          {"projects", projects},
          {"robots", robots},
          {"sequences",
           {{"users", nextUserId_}, {"projects", nextProjectId_}, {"robots", nextRobotId_}}},
          {"configuration",
           {{"project_creation_restriction", projectCreationRestriction_},
            {"robot_name_prefix", robotPrefix_},
            {"token_expiration", tokenExpirationMinutes_},
            {"read_only", readOnly_}}}};
}

std::optional<std::string> HarborApi::restore(const json& state) {
  // Parse into fresh tables first: a bad snapshot leaves the state untouched.
  std::vector<User> users;
  std::map<std::int64_t, Project> projects;
  std::map<std::int64_t, Robot> robots;
  try {
    for (const auto& user : state.at("users"))
      users.push_back({user.at("id"),
                       user.at("name"),
                       {user.at("salt"), user.at("hash")},
                       user.at("admin"),
                       user.value("admin_role_in_auth", false)});
    for (const auto& project : state.at("projects")) {
      const std::int64_t id = project.at("id");
      projects[id] = {id,
                      project.at("name"),
                      project.at("metadata"),
                      project.at("owner_id"),
                      project.at("creation_time"),
                      project.at("created_seconds"),
                      project.at("repositories").get<std::set<std::string>>()};
    }
    for (const auto& robot : state.at("robots")) {
      const std::int64_t id = robot.at("id");
      robots[id] = {id,
                    robot.at("stored_name"),
                    robot.at("description"),
                    robot.at("level"),
                    robot.at("duration"),
                    robot.at("expires_at"),
                    robot.at("disabled"),
                    {robot.at("salt"), robot.at("hash")},
                    permissionsFrom(robot.at("permissions")),
                    robot.at("project_id"),
                    robot.at("creator_type"),
                    robot.at("creator_ref"),
                    robot.at("creation_time"),
                    robot.at("update_time"),
                    std::chrono::system_clock::time_point(
                        std::chrono::seconds(robot.at("created_seconds").get<std::int64_t>()))};
    }
    const json& sequences = state.at("sequences");
    const json& configuration = state.at("configuration");
    std::lock_guard lock(mutex_);
    users_ = std::move(users);
    projects_ = std::move(projects);
    robots_ = std::move(robots);
    nextUserId_ = sequences.at("users");
    nextProjectId_ = sequences.at("projects");
    nextRobotId_ = sequences.at("robots");
    projectCreationRestriction_ = configuration.at("project_creation_restriction");
    robotPrefix_ = configuration.at("robot_name_prefix");
    tokenExpirationMinutes_ = configuration.at("token_expiration");
    readOnly_ = configuration.value("read_only", false);
  } catch (const json::exception& error) {
    return fmt::format("the snapshot is not a Harbor simulator state: {}", error.what());
  }
  return std::nullopt;
}

} // namespace harborrobot::harborsim

// /api/v2.0/projects (NOTES.md §2).
#include <regex>

#include <fmt/format.h>

#include "harbor_api.h"
#include "http_text.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

HarborResponse empty(int status) {
  HarborResponse response;
  response.status = status;
  return response;
}

} // namespace

HarborResult<HarborResponse> HarborApi::createProject(const HarborRequest& request,
                                                      const Principal& who) {
  // go-swagger binds and validates the body against ProjectReq before
  // CreateProject runs: these 422s come first, even for anonymous callers.
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return tl::unexpected(unprocessable("the request body must be a JSON object"));
  if (!body.contains("project_name") || !body["project_name"].is_string())
    return tl::unexpected(unprocessable("project_name in body is required"));
  const std::string name = body["project_name"];
  if (name.size() > 255)
    return tl::unexpected(unprocessable("project_name in body should be at most 255 chars long"));
  if (body.contains("public") && !body["public"].is_null() && !body["public"].is_boolean())
    return tl::unexpected(unprocessable("public in body must be of type boolean"));
  json metadata = body.value("metadata", json::object());
  if (metadata.is_null())
    metadata = json::object();
  if (!metadata.is_object())
    return tl::unexpected(unprocessable("metadata in body must be of type object"));
  for (const char* key : {"public", "retention_id"}) {
    if (metadata.contains(key) && !metadata[key].is_null() && !metadata[key].is_string())
      return tl::unexpected(
          unprocessable(fmt::format("metadata.{} in body must be of type string", key)));
  }
  // src/server/v2.0/handler/project.go CreateProject, in its order:
  // RequireAuthenticated (401) before any check of the body's values.
  if (who.kind == Principal::Kind::kAnonymous)
    return tl::unexpected(unauthorized());
  if (who.kind == Principal::Kind::kRobot && who.robot->level == "project")
    return tl::unexpected(forbidden("Only system level robot can create project"));
  if (projectCreationRestriction_ == "adminonly" && !who.admin &&
      !(who.kind == Principal::Kind::kRobot &&
        robotAllows(*who.robot, "system", "", "project", "create")))
    return tl::unexpected(forbidden("Only system admin can create project"));
  // The deprecated `public` fills an empty metadata.public, which defaults to "false".
  const auto publicEmpty = [&] {
    return !metadata.contains("public") || metadata["public"].is_null() || metadata["public"] == "";
  };
  if (body.contains("public") && body["public"].is_boolean() && publicEmpty())
    metadata["public"] = body["public"].get<bool>() ? "true" : "false";
  if (publicEmpty())
    metadata["public"] = "false";
  if (metadata["public"] != "true" && metadata["public"] != "false")
    return tl::unexpected(
        badRequest(fmt::format("metadata.public should only be 'true' or 'false', but got: '{}'",
                               metadata["public"].get<std::string>())));
  // validateProjectReq.
  if (metadata.contains("retention_id") && metadata["retention_id"].is_string() &&
      !metadata["retention_id"].get<std::string>().empty())
    return tl::unexpected(
        badRequest("bad request: the retention_id in the request's payload when creating a "
                   "project should be omitted, alternatively passing an empty string"));
  metadata.erase("retention_id");
  // src/pkg/project/manager.go Create: length, then the name pattern.
  if (name.empty())
    return tl::unexpected(badRequest(fmt::format(
        "Project name {} is illegal in length. (greater than 255 or less than 1)", name)));
  static const std::regex pattern("^[a-z0-9]+(?:[._-][a-z0-9]+)*$");
  if (!std::regex_match(name, pattern))
    return tl::unexpected(
        badRequest("project name is not in lower case or contains illegal characters"));
  for (const auto& [id, project] : projects_) {
    if (project.name == name)
      return tl::unexpected(conflict(fmt::format("The project named {} already exists", name)));
  }
  std::int64_t owner = users_.front().id;
  for (const auto& user : users_) {
    if (who.kind == Principal::Kind::kUser && user.name == who.name)
      owner = user.id;
  }
  const std::int64_t id = nextProjectId_++;
  const auto now = std::chrono::system_clock::now();
  projects_[id] = {id,
                   name,
                   metadata,
                   owner,
                   rfc3339Millis(now),
                   std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
                   {}};
  HarborResponse response = empty(201);
  const auto byName = request.headers.find("x-resource-name-in-location");
  response.headers.emplace_back("Location",
                                "/api/v2.0/projects/" +
                                    (byName != request.headers.end() && byName->second == "true"
                                         ? name
                                         : std::to_string(id)));
  return response;
}

HarborResult<HarborResponse> HarborApi::listProjects(const HarborRequest& request,
                                                     const Principal& who) {
  const std::string wanted = queryValue(request.rawQuery, "project_name");
  if (request.method == "HEAD") {
    if (who.kind == Principal::Kind::kAnonymous)
      return tl::unexpected(unauthorized());
    for (const auto& [id, project] : projects_) {
      if (project.name == wanted)
        return empty(200);
    }
    return tl::unexpected(notFound());
  }
  json list = json::array();
  for (const auto& [id, project] : projects_) {
    const bool visible = who.admin || project.metadata.value("public", "false") == "true" ||
                         (who.kind == Principal::Kind::kRobot &&
                          robotAllows(*who.robot, "project", project.name, "project", "read"));
    if (visible && (wanted.empty() || project.name == wanted)) {
      list.push_back({{"project_id", id},
                      {"name", project.name},
                      {"metadata", project.metadata},
                      {"repo_count", project.repositories.size()},
                      {"creation_time", project.creationTime}});
    }
  }
  HarborResponse response;
  response.body = list.dump() + "\n";
  response.headers.emplace_back("X-Total-Count", std::to_string(list.size()));
  return response;
}

HarborResult<HarborResponse> HarborApi::deleteProject(const std::string& nameOrId, bool byName,
                                                      const Principal& who) {
  auto project = requireProject(who, nameOrId, byName, "project", "delete");
  if (!project)
    return tl::unexpected(project.error());
  if (!(*project)->repositories.empty()) {
    return tl::unexpected(
        precondition("precondition failed: the project contains repositories, can not be deleted"));
  }
  const std::int64_t id = (*project)->id;
  // Deleting a project deletes its robots.
  std::erase_if(robots_, [&](const auto& entry) { return entry.second.projectId == id; });
  projects_.erase(id);
  return empty(200);
}

// PUT /projects/{project_name_or_id}: Harbor's projectAPI.UpdateProject
// (src/server/v2.0/handler/project.go) checks project update access, then
// copies the body's metadata over the project's (lib.JSONCopy into
// ProjectMetadata, whose fields are strings: src/pkg/project/models and
// api/v2.0/swagger.yaml ProjectMetadata), and answers 200 with no body.
HarborResult<HarborResponse> HarborApi::updateProject(const HarborRequest& request,
                                                      const std::string& nameOrId, bool byName,
                                                      const Principal& who) {
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return tl::unexpected(unprocessable("the request body must be a JSON object"));
  auto found = requireProject(who, nameOrId, byName, "project", "update");
  if (!found)
    return tl::unexpected(found.error());
  const std::int64_t id = (*found)->id;
  const auto metadata = body.find("metadata");
  if (metadata != body.end() && !metadata->is_null()) {
    if (!metadata->is_object())
      return tl::unexpected(unprocessable("metadata in body must be of type object"));
    // The ProjectMetadata fields of the swagger; JSONCopy drops any other key.
    static const char* const kFields[] = {"public",
                                          "enable_content_trust",
                                          "enable_content_trust_cosign",
                                          "prevent_vul",
                                          "severity",
                                          "auto_scan",
                                          "auto_sbom_generation",
                                          "reuse_sys_cve_allowlist",
                                          "retention_id",
                                          "proxy_speed_kb"};
    for (const char* field : kFields) {
      const auto value = metadata->find(field);
      if (value == metadata->end() || value->is_null())
        continue;
      if (!value->is_string())
        return tl::unexpected(
            unprocessable(fmt::format("metadata.{} in body must be of type string", field)));
      projects_[id].metadata[field] = *value;
    }
  }
  return empty(200);
}

HarborResult<HarborResponse> HarborApi::repositories(const HarborRequest& request,
                                                     const Principal& who,
                                                     const std::string& projectName,
                                                     const std::string& repository) {
  const bool deleting = request.method == "DELETE";
  if (deleting == repository.empty())
    return tl::unexpected(methodNotAllowed());
  auto found = requireProject(who, projectName, true, "repository", deleting ? "delete" : "list");
  if (!found)
    return tl::unexpected(found.error());
  auto& project = projects_.at((*found)->id);
  if (deleting) {
    // Harbor deletes the artifacts; the registry's blobs wait for garbage
    // collection, which the simulator never runs.
    if (project.repositories.erase(project.name + "/" + repository) == 0)
      return tl::unexpected(
          notFound(fmt::format("repository {}/{} not found", project.name, repository)));
    return empty(200);
  }
  json list = json::array();
  for (const auto& name : project.repositories)
    list.push_back({{"name", name}, {"project_id", project.id}});
  HarborResponse response;
  response.body = list.dump() + "\n";
  response.headers.emplace_back("X-Total-Count", std::to_string(list.size()));
  return response;
}

} // namespace harborrobot::harborsim

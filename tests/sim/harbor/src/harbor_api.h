// The simulated Harbor core API (v2.0), independent of the HTTP library: a
// request in, a response out. State is in memory, guarded by one mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harbor_error.h"
#include "password_hash.h"
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
};

struct HarborOptions {
  HarborVersion version;
  std::string externalUrl; // https://host:port
  std::string adminPassword = "Harbor12345";
};

class HarborApi {
public:
  explicit HarborApi(HarborOptions options);
  HarborResponse handle(const HarborRequest& request);
  // Test helper (the admin endpoint's job): a non-admin local user.
  void addUser(const std::string& name, const std::string& password, bool admin);

private:
  struct User {
    std::int64_t id;
    std::string name;
    PasswordHash password;
    bool admin;
  };
  struct Project {
    std::int64_t id;
    std::string name;
    nlohmann::json metadata;
    std::int64_t ownerId;
    std::string creationTime;
    int repositories = 0;
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
    std::string creatorRef;
    std::string creationTime;
    std::string updateTime;
    std::chrono::system_clock::time_point created;
  };
  struct Principal {
    enum class Kind { kAnonymous, kUser, kRobot } kind = Kind::kAnonymous;
    std::string name;
    bool admin = false;
    const Robot* robot = nullptr;
  };

  Principal authenticate(const std::string& authorization);
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
  HarborResult<HarborResponse> createRobot(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> listRobots(const HarborRequest& request, const Principal& who);
  HarborResult<HarborResponse> robotById(const HarborRequest& request, const Principal& who,
                                         std::int64_t id);
  HarborResult<HarborResponse> permissions(const Principal& who);

  nlohmann::json robotJson(const Robot& robot) const;
  std::string prefixed(const Robot& robot) const { return robotPrefix_ + robot.storedName; }
  std::string newSecret();

  HarborOptions options_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  std::string robotPrefix_ = "robot$";
  std::vector<User> users_;
  std::map<std::int64_t, Project> projects_;
  std::map<std::int64_t, Robot> robots_;
  // Each table has its own sequence, as in Harbor's database.
  std::int64_t nextUserId_ = 1;
  std::int64_t nextProjectId_ = 1;
  std::int64_t nextRobotId_ = 1;
};

} // namespace harborrobot::harborsim

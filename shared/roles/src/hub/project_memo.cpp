// ProjectMemo: an invalid value is remembered with a prefix no valid project
// name has, so a namespace that goes from invalid to valid is noticed.
#include "harborrobot/hub/project_memo.h"

namespace harborrobot::hub {

namespace {

std::string memoKey(std::string_view ns, std::string_view connection) {
  return std::string(ns) + "/" + std::string(connection);
}

} // namespace

bool ProjectMemo::noteInvalid(std::string_view ns, std::string_view connection,
                              const std::string& project) {
  std::lock_guard lock(mutex_);
  auto& last = lastValue_[memoKey(ns, connection)];
  if (last == "invalid:" + project) {
    return false;
  }
  last = "invalid:" + project;
  return true;
}

bool ProjectMemo::noteValid(std::string_view ns, std::string_view connection,
                            const std::string& connectionUid, const std::string& project) {
  std::lock_guard lock(mutex_);
  lastValue_[memoKey(ns, connection)] = project;
  return !ensured_.contains({connectionUid, project});
}

void ProjectMemo::noteEnsured(const std::string& connectionUid, const std::string& project) {
  std::lock_guard lock(mutex_);
  ensured_.insert({connectionUid, project});
}

bool projectInputsChanged(const nlohmann::json& before, const nlohmann::json& after) {
  return before.value("/metadata/labels"_json_pointer, nlohmann::json::object()) !=
             after.value("/metadata/labels"_json_pointer, nlohmann::json::object()) ||
         before.value("/metadata/annotations"_json_pointer, nlohmann::json::object()) !=
             after.value("/metadata/annotations"_json_pointer, nlohmann::json::object());
}

} // namespace harborrobot::hub

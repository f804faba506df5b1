// What the hub's project sync remembers between passes, apart from its
// informer and Harbor calls: the projects already known to exist (asked of
// Harbor once per connection, not once per namespace) and the last value each
// namespace gave each connection (so an invalid name is reported once, not at
// every pass). Thread-safe; tested in tests/unit/hub/project_memo_test.cpp.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace harborrobot::hub {

class ProjectMemo {
public:
  // Namespace `ns` names `project` for connection `connection`, which is not a
  // valid project name: true the first time (report it), false while it stays so.
  bool noteInvalid(std::string_view ns, std::string_view connection, const std::string& project);
  // Namespace `ns` names a valid `project` for connection `connection` (uid
  // `connectionUid`): true when Harbor must still be asked to ensure it.
  bool noteValid(std::string_view ns, std::string_view connection, const std::string& connectionUid,
                 const std::string& project);
  // Harbor has the project now (created or found).
  void noteEnsured(const std::string& connectionUid, const std::string& project);

private:
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> ensured_; // (connection uid, project)
  std::map<std::string, std::string> lastValue_; // "namespace/connection" → project or problem
};

// Whether a namespace's change can change the project it names: its labels or
// annotations changed.
bool projectInputsChanged(const nlohmann::json& before, const nlohmann::json& after);

} // namespace harborrobot::hub

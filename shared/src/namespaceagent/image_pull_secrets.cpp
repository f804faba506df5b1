// The imagePullSecrets merge: others' entries in place, then ours in the wanted order.
#include "harborrobot/namespaceagent/image_pull_secrets.h"

#include <algorithm>

#include "harborrobot/util/json_text.h"

namespace harborrobot::namespaceagent {

nlohmann::json mergeImagePullSecrets(const nlohmann::json& currentList,
                                     const std::vector<std::string>& wanted,
                                     const std::set<std::string>& ourSecrets) {
  nlohmann::json next = nlohmann::json::array();
  std::set<std::string> present;
  if (currentList.is_array()) {
    for (const auto& entry : currentList) {
      const std::string name = stringField(entry, "name");
      const bool wantedName = std::find(wanted.begin(), wanted.end(), name) != wanted.end();
      if (ourSecrets.contains(name) || wantedName) {
        continue;
      }
      if (present.insert(name).second) {
        next.push_back(entry);
      }
    }
  }
  for (const auto& name : wanted) {
    if (present.insert(name).second) {
      next.push_back({{"name", name}});
    }
  }
  return next;
}

} // namespace harborrobot::namespaceagent

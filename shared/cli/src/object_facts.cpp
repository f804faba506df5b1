#include "harborrobot/cli/object_facts.h"

#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

bool conditionTrue(const nlohmann::json& object, std::string_view type) {
  for (const auto& condition :
       objectField(object, "status").value("conditions", nlohmann::json::array())) {
    if (stringField(condition, "type") == type) {
      return stringField(condition, "status") == "True";
    }
  }
  return false;
}

std::string firstContainerImage(const nlohmann::json& deployment) {
  const auto pod = objectField(objectField(objectField(deployment, "spec"), "template"), "spec");
  const auto containers = pod.find("containers");
  // A hand-edited Deployment may hold anything here: no image, never a throw.
  if (containers == pod.end() || !containers->is_array() || containers->empty()) {
    return {};
  }
  return stringField(containers->front(), "image");
}

std::string imageTag(const std::string& image) {
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash) ||
      image.find('@') != std::string::npos) {
    return image;
  }
  return image.substr(colon + 1);
}

} // namespace harborrobot::cli

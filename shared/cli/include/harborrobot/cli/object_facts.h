// Facts the plugin reads off objects in the cluster: a condition, the image a
// Deployment runs and the version in its tag.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace harborrobot::cli {

// Whether `object`'s status.conditions has `type` with status "True".
bool conditionTrue(const nlohmann::json& object, std::string_view type);

// The image of the first container of a Deployment's Pod template; "" if none.
std::string firstContainerImage(const nlohmann::json& deployment);

// "repo/harborrobot-agent:0.1.0" → "0.1.0". An image pinned by digest, or
// without a tag (a colon before the last slash is a registry port), stays
// whole: it is the most precise version there is.
std::string imageTag(const std::string& image);

} // namespace harborrobot::cli

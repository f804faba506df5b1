// The hub role's flags: each rule here, so the role only reads and logs.
#include "harborrobot/hub/hub_flags.h"

#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/comma_list.h"
#include "harborrobot/util/go_duration.h"

namespace harborrobot::hub {

Result<bool> parseAgentsMode(std::string_view value) {
  if (value == "managed") {
    return true;
  }
  if (value == "external") {
    return false;
  }
  return makeError(ErrorCode::kInvalidArgument, "--agents: expected managed or external");
}

std::string agentServiceAccountFor(const std::optional<std::string>& flag, bool managedAgents) {
  std::string account = flag ? *flag : (managedAgents ? "harborrobot-agent" : "*");
  if (account == "*") {
    account.clear();
  }
  return account;
}

std::optional<std::pair<std::string, std::string>> parseAgentEnv(std::string_view entry) {
  const auto equals = entry.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return std::nullopt;
  }
  return std::pair{std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1))};
}

Result<std::chrono::seconds> parsePendingTimeout(std::string_view value) {
  auto parsed = parseGoDuration(value);
  if (!parsed || parsed->count() <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "--pending-timeout: expected a positive Go duration such as 15m");
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*parsed);
}

std::vector<std::string> allowedNamespaces(const std::vector<std::string>& entries) {
  std::vector<std::string> names;
  for (const auto& entry : entries) {
    for (auto& name : splitCommaList(entry)) {
      names.push_back(std::move(name));
    }
  }
  return names;
}

std::vector<std::string> servingExtraNames(std::vector<std::string> extraSans,
                                           std::string_view podIp) {
  if (!podIp.empty()) {
    extraSans.emplace_back(podIp);
  }
  return extraSans;
}

nlohmann::json leaderLabelPatch(bool leading) {
  return {
      {"metadata",
       {{"labels",
         {{wire::kHubLeaderLabel, leading ? nlohmann::json("true") : nlohmann::json(nullptr)}}}}}};
}

std::optional<std::string> firstContainerImage(const nlohmann::json& pod) {
  const auto containers = pod.value("/spec/containers"_json_pointer, nlohmann::json::array());
  if (!containers.empty() && containers[0].contains("image")) {
    return containers[0]["image"].get<std::string>();
  }
  return std::nullopt;
}

} // namespace harborrobot::hub

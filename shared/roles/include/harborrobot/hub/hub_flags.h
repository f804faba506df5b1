// The hub role's flags read into what it runs with: the agents' mode, the
// ServiceAccount the hub API accepts, the managed agents' environment and
// image, the pending timeout, the namespaces it may target after all, and the
// leader label it puts on its own Pod. Error messages name the flag and what
// was expected; the role logs them with the value given.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::hub {

// --agents: true for "managed", false for "external"; kInvalidArgument otherwise.
[[nodiscard]] Result<bool> parseAgentsMode(std::string_view value);

// --agent-service-account as given (`flag`, nullopt when absent): by default
// harborrobot-agent with managed agents and any with external ones. "" = any
// ("*" on the command line).
std::string agentServiceAccountFor(const std::optional<std::string>& flag, bool managedAgents);

// One --agent-env NAME=VALUE; nullopt without "=" or without a name.
std::optional<std::pair<std::string, std::string>> parseAgentEnv(std::string_view entry);

// --pending-timeout: a positive Go duration, in whole seconds.
[[nodiscard]] Result<std::chrono::seconds> parsePendingTimeout(std::string_view value);

// Every name of every --allow-namespaces (each a comma-separated list), in order.
std::vector<std::string> allowedNamespaces(const std::vector<std::string>& entries);

// The serving certificate's extra names: --extra-san, then the Pod IP if any.
std::vector<std::string> servingExtraNames(std::vector<std::string> extraSans,
                                           std::string_view podIp);

// The merge patch that sets (leading) or removes the hub leader label on a Pod:
// the hub Service selects it, so agents reach the leader and only the leader.
nlohmann::json leaderLabelPatch(bool leading);

// The image of a Pod's first container, if it names one: the managed agents
// run the hub's own image unless told otherwise.
std::optional<std::string> firstContainerImage(const nlohmann::json& pod);

} // namespace harborrobot::hub

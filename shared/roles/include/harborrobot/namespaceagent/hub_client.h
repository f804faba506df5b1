// The namespace agent's side of the hub API: the four calls of
// reconcile/hub_routes.h over an HTTP client (HTTPS verified with the hub's
// CA in the agent), authenticated with the projected token (audience
// harborrobot-hub), re-read once after a 401 as the kubelet rotates it, and a
// 429 waited out as its Retry-After says.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::namespaceagent {

class HubClient {
public:
  using Sleep = std::function<void(std::chrono::seconds)>;
  // `sleep` waits out a 429 (default: this thread sleeps).
  HubClient(http::Client& http, std::string baseUrl, std::string ns, kube::TokenSource& tokens,
            Sleep sleep = {});

  [[nodiscard]] Result<std::vector<reconcile::AgentBinding>> bindings();
  [[nodiscard]] Result<reconcile::IssuedCredential>
  issue(std::string_view binding, const reconcile::CredentialRequest& request);
  [[nodiscard]] Status activate(std::string_view binding, const reconcile::Activation& activation);
  [[nodiscard]] Status report(const reconcile::AgentReport& report);

private:
  [[nodiscard]] Result<nlohmann::json> call(const std::string& method, const std::string& path,
                                            const std::optional<nlohmann::json>& body);

  http::Client& http_;
  std::string baseUrl_;
  std::string ns_;
  kube::TokenSource& tokens_;
  Sleep sleep_;
};

} // namespace harborrobot::namespaceagent

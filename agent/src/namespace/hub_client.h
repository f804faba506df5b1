// The namespace agent's side of the hub API: HTTPS verified with the hub's CA,
// authenticated with the projected token (audience harborrobot-hub), re-read
// as the kubelet rotates it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harborrobot/http/https_client.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::agent::namespace_role {

class HubClient {
public:
  HubClient(std::string baseUrl, std::string ns, const std::filesystem::path& caFile,
            std::filesystem::path tokenFile);

  [[nodiscard]] Result<std::vector<reconcile::AgentBinding>> bindings();
  [[nodiscard]] Result<reconcile::IssuedCredential>
  issue(std::string_view binding, const reconcile::CredentialRequest& request);
  [[nodiscard]] Status activate(std::string_view binding, const reconcile::Activation& activation);
  [[nodiscard]] Status report(const reconcile::AgentReport& report);
  // Ends the kept-alive connection: agents call the hub in short bursts minutes
  // apart, and the hub serves each connection with a thread of a fixed pool.
  void closeIdle();

private:
  [[nodiscard]] Result<nlohmann::json> call(std::string method, const std::string& path,
                                            const std::optional<nlohmann::json>& body);

  std::string baseUrl_;
  std::string ns_;
  std::unique_ptr<http::HttpsClient> http_;
  kube::FileTokenSource tokens_;
};

} // namespace harborrobot::agent::namespace_role

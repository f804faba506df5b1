// The namespace agent's hub client as the process builds it: HTTPS verified
// with the hub's CA, the projected token file (audience harborrobot-hub); the
// calls themselves are the core's (namespaceagent/hub_client.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harborrobot/http/https_client.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/namespaceagent/hub_client.h"

namespace harborrobot::agent::namespace_role {

class HubClient {
public:
  HubClient(std::string baseUrl, std::string ns, const std::filesystem::path& caFile,
            std::filesystem::path tokenFile);

  [[nodiscard]] Result<std::vector<reconcile::AgentBinding>> bindings() {
    return calls_.bindings();
  }
  [[nodiscard]] Result<reconcile::IssuedCredential>
  issue(std::string_view binding, const reconcile::CredentialRequest& request) {
    return calls_.issue(binding, request);
  }
  [[nodiscard]] Status activate(std::string_view binding, const reconcile::Activation& activation) {
    return calls_.activate(binding, activation);
  }
  [[nodiscard]] Status report(const reconcile::AgentReport& report) {
    return calls_.report(report);
  }
  // Ends the kept-alive connection: agents call the hub in short bursts minutes
  // apart, and the hub serves each connection with a thread of a fixed pool.
  void closeIdle() { http_->closeIdle(); }

private:
  std::unique_ptr<http::HttpsClient> http_;
  kube::FileTokenSource tokens_;
  namespaceagent::HubClient calls_;
};

} // namespace harborrobot::agent::namespace_role

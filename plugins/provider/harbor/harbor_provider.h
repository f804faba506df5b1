// The Harbor provider: plugin::Provider over Harbor's API v2.0 (Harbor >= 2.12;
// behaviour per ../shared/harbor/NOTES.md). Project robots only: one robot per
// (binding, namespace, generation), each limited to one project.
#pragma once

#include "harbor_api.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot::plugins::harbor {

class HarborProvider final : public plugin::Provider {
public:
  HarborProvider(plugin::ProviderConfig config, http::Client& client);

  Result<plugin::ServerInfo> serverInfo() override;
  Result<bool> ensureProject(std::string_view project) override;
  Result<plugin::Credential> createCredential(const plugin::CredentialRequest& request) override;
  Status deleteCredential(std::string_view project, std::int64_t id) override;
  Result<std::vector<plugin::CredentialSummary>>
  listCredentials(std::string_view project, std::string_view descriptionPrefix) override;
  Result<plugin::VerifyResult>
  verifyCredential(std::string_view project, std::string_view username, const SecretString& secret,
                   const std::vector<plugin::Permission>& expected) override;

private:
  [[nodiscard]] Result<std::int64_t> projectId(std::string_view project) const;
  HarborApi api_;
};

// Harbor's times: RFC3339 with optional fraction ("2025-05-15T10:33:41.123Z").
[[nodiscard]] Result<std::chrono::system_clock::time_point> parseHarborTime(std::string_view text);

} // namespace harborrobot::plugins::harbor

// A test provider, "harbor-audited": the Harbor provider's own code (linked, not
// copied) over an HTTP client that marks every request it sends, so e2e.plugin_choice
// can read in the Harbor simulator's request log that a connection's choice of
// provider is the one the hub used.
#include <memory>
#include <string>

#include "harbor_provider.h"
#include "harborrobot/plugin/export.h"

namespace harborrobot::tests::plugin_choice::audited {

// The header every request of this provider carries (the simulator logs headers
// by lower-case name, credentials left out).
constexpr const char* kMarkHeader = "X-Harborrobot-Test-Provider";
constexpr const char* kName = "harbor-audited";

class MarkingClient final : public http::Client {
public:
  explicit MarkingClient(http::Client& inner) : inner_(inner) {}
  Result<http::Response> send(const http::Request& request) override {
    http::Request marked = request;
    marked.headers[kMarkHeader] = kName;
    return inner_.send(marked);
  }

private:
  http::Client& inner_;
};

class AuditedProvider final : public plugin::Provider {
public:
  AuditedProvider(plugin::ProviderConfig config, http::Client& client)
      : client_(client), harbor_(std::move(config), client_) {}

  Result<plugin::ServerInfo> serverInfo() override { return harbor_.serverInfo(); }
  Result<bool> ensureProject(std::string_view project) override {
    return harbor_.ensureProject(project);
  }
  Result<plugin::Credential> createCredential(const plugin::CredentialRequest& request) override {
    return harbor_.createCredential(request);
  }
  Status deleteCredential(std::string_view project, std::int64_t id) override {
    return harbor_.deleteCredential(project, id);
  }
  Result<std::vector<plugin::CredentialSummary>>
  listCredentials(std::string_view project, std::string_view descriptionPrefix) override {
    return harbor_.listCredentials(project, descriptionPrefix);
  }
  Result<plugin::VerifyResult>
  verifyCredential(std::string_view project, std::string_view username, const SecretString& secret,
                   const std::vector<plugin::Permission>& expected) override {
    return harbor_.verifyCredential(project, username, secret, expected);
  }

private:
  // Declared first: the Harbor provider speaks through it until it is destroyed.
  MarkingClient client_;
  plugins::harbor::HarborProvider harbor_;
};

class AuditedProviderFactory final : public plugin::ProviderFactory {
public:
  std::string name() const override { return kName; }
  Result<std::unique_ptr<plugin::Provider>> create(plugin::ProviderConfig config,
                                                   http::Client& client) const override {
    return std::make_unique<AuditedProvider>(std::move(config), client);
  }
};

} // namespace harborrobot::tests::plugin_choice::audited

HARBORROBOT_PLUGIN("provider", "harbor-audited", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::tests::plugin_choice::audited::AuditedProviderFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

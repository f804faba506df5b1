// The hub API over HTTPS (see reconcile/hub_protocol.h for the calls). Every
// request carries a projected ServiceAccount token; the caller may only name
// its own namespace (403 otherwise). A replica that is not the leader answers
// 503 so the agent retries; reads and writes are the leader's alone.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/hub/credential_service.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/reconcile/hub_api_limits.h"
#include "harborrobot/tls/certificate_authority.h"
#include "token_reviewer.h"

namespace harborrobot::agent::hub {

struct HubApiDependencies {
  // The hub API's operations; the handlers touch nothing else of the hub.
  ::harborrobot::hub::CredentialService& credentials;
  TokenReviewer& reviewer;
  const Logger& logger;
  std::function<bool()> isLeader;
  metrics::Counter* requests = nullptr; // by route and code
  reconcile::HubApiLimits limits{};
  // The only ServiceAccount (in the caller's namespace) that may call; "" any.
  std::string agentServiceAccount{};
};

class HubApiServer {
public:
  // Binds `address` ("0.0.0.0:8443", "127.0.0.1:0") with the serving key pair.
  [[nodiscard]] static Result<std::unique_ptr<HubApiServer>>
  start(const std::string& address, const tls::KeyPair& serving, HubApiDependencies dependencies);
  ~HubApiServer();
  HubApiServer(const HubApiServer&) = delete;
  HubApiServer& operator=(const HubApiServer&) = delete;
  int port() const;

private:
  struct Impl;
  explicit HubApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot::agent::hub

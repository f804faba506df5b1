// The hub API over HTTPS (see reconcile/hub_protocol.h for the calls): Poco's
// server, TLS, the connection caps and deadlines around the core's HubApi,
// which decides every answer (hub/hub_api.h).
#pragma once

#include <memory>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/hub/hub_api.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/observability/metrics.h"
#include "harborrobot/tls/certificate_authority.h"

namespace harborrobot::agent::hub {

struct HubApiDependencies {
  // The hub API's operations; the handlers touch nothing else of the hub.
  ::harborrobot::hub::HubApiOperations& operations;
  ::harborrobot::hub::CallerReview& reviewer;
  const Logger& logger;
  ::harborrobot::hub::HubApiSettings settings{};
  metrics::Counter* requests = nullptr; // by route and code
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

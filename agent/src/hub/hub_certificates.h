// The hub's own CA: kept in a Secret of the hub's namespace so every replica and
// every restart serves under the same CA, and published (ca.crt only) in a
// ConfigMap that agents mount to verify the hub. The serving certificate is
// issued at start for the Service's names and lives only in memory.
#pragma once

#include <string>
#include <vector>

#include "harborrobot/kube/client.h"
#include "harborrobot/tls/certificate_authority.h"

namespace harborrobot::agent::hub {

struct ServingIdentity {
  std::string serviceName{};             // harborrobot-hub
  std::string ns{};                      // the hub's namespace
  std::vector<std::string> extraNames{}; // more DNS names or IPs (the Pod IP)
};

struct HubCertificates {
  tls::KeyPair serving{};
  std::string caPem{};
};

// Reads the CA Secret, or creates it (a race with another replica is settled by
// the apiserver: the loser reads the winner's), then makes sure the ConfigMap
// carries its certificate. Returns the serving key pair and the CA certificate.
[[nodiscard]] Result<HubCertificates> loadServingCertificate(kube::Client& client,
                                                             const ServingIdentity& identity);

} // namespace harborrobot::agent::hub

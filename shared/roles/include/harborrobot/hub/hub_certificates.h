// The hub's own CA: kept in a Secret of the hub's namespace so every replica and
// every restart serves under the same CA, and published (ca.crt only) in a
// ConfigMap that agents mount to verify the hub. The serving certificate is
// issued at start for the Service's names and lives only in memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/tls/certificate_authority.h"

namespace harborrobot::hub {

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

// What the serving certificate is issued for: the Service's four DNS names
// (name, name.ns, name.ns.svc, name.ns.svc.cluster.local; the common name is
// name.ns.svc), then each extra name as an IP address or a DNS name. One year.
tls::LeafRequest servingLeafRequest(const ServingIdentity& identity);

// The CA Secret (kubernetes.io/tls) of namespace `ns`.
kube::Json caSecretObject(std::string_view ns, const tls::KeyPair& ca);

// The CA's key pair in Secret `secret` of `ns`; kFailedPrecondition when it
// does not hold a base64 tls.crt and tls.key.
[[nodiscard]] Result<tls::KeyPair> caInSecret(std::string_view ns, const kube::Json& secret);

// The data of the ConfigMap that publishes the CA certificate, and the
// ConfigMap itself.
kube::Json caConfigMapData(const std::string& certificatePem);
kube::Json caConfigMapObject(std::string_view ns, const std::string& certificatePem);

} // namespace harborrobot::hub

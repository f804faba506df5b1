// A small certificate authority: the hub's own CA for its API, and the TLS
// material of the simulators and tests. EC P-256 keys, SHA-256 signatures, PEM out.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::tls {

struct KeyPair {
  std::string certificatePem{};
  SecretString privateKeyPem{};
};

struct LeafRequest {
  std::string commonName{};
  std::vector<std::string> organizations{}; // Kubernetes reads client-cert groups from O
  std::vector<std::string> dnsNames{};
  std::vector<std::string> ipAddresses{}; // IPv4 or IPv6 text
  bool serverAuth = true;
  bool clientAuth = false;
  std::chrono::hours validity{24 * 365};
};

class CertificateAuthority {
public:
  // A fresh self-signed CA named `commonName`.
  [[nodiscard]] static Result<CertificateAuthority> create(const std::string& commonName,
                                                           std::chrono::hours validity);
  // An existing CA, e.g. read back from a Secret after a restart.
  [[nodiscard]] static Result<CertificateAuthority> fromPem(const KeyPair& ca);

  const KeyPair& ca() const { return ca_; }
  [[nodiscard]] Result<KeyPair> issue(const LeafRequest& request) const;

private:
  explicit CertificateAuthority(KeyPair ca) : ca_(std::move(ca)) {}
  KeyPair ca_;
};

} // namespace harborrobot::tls

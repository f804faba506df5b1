// A throwaway certificate authority for simulators: one CA, a server certificate
// for 127.0.0.1/localhost and a client certificate, written as PEM files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::sim {

// Paths of the PEM files a TestPki writes; every file sits in one directory.
struct PkiFiles {
  std::filesystem::path caCert;
  std::filesystem::path serverCert;
  std::filesystem::path serverKey;
  std::filesystem::path clientCert;
  std::filesystem::path clientKey;
};

// Creates a fresh CA (P-256, valid one day) and signs a server certificate with
// SANs 127.0.0.1 and localhost (plus `extraDnsNames` and `extraIpAddresses`,
// e.g. harbor-1.example.com on 127.0.77.1 in the sandbox) and a client
// certificate whose CN is clientName.
Result<PkiFiles> writeTestPki(const std::filesystem::path& directory, const std::string& clientName,
                              const std::vector<std::string>& extraDnsNames = {},
                              const std::vector<std::string>& extraIpAddresses = {});

} // namespace harborrobot::sim

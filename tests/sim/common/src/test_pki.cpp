// writeTestPki: the core's CertificateAuthority, written out as PEM files with
// private keys readable by the owner only.
#include "harborrobot/sim/test_pki.h"

#include <sys/stat.h>

#include <fstream>

#include <fmt/format.h>

#include "harborrobot/tls/certificate_authority.h"

namespace harborrobot::sim {

namespace {

Status writeFile(const std::filesystem::path& path, std::string_view text, bool secret) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    return makeError(ErrorCode::kUnavailable, fmt::format("writing {}", path.string()));
  }
  out.close();
  if (secret && ::chmod(path.c_str(), 0600) != 0) {
    return makeError(ErrorCode::kUnavailable, fmt::format("chmod 0600 {}", path.string()));
  }
  return ok();
}

} // namespace

Result<PkiFiles> writeTestPki(const std::filesystem::path& directory, const std::string& clientName,
                              const std::vector<std::string>& extraDnsNames,
                              const std::vector<std::string>& extraIpAddresses) {
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  PkiFiles files{directory / "ca.crt", directory / "server.crt", directory / "server.key",
                 directory / "client.crt", directory / "client.key"};
  auto ca = tls::CertificateAuthority::create("harborrobot-sim-ca", std::chrono::hours(24));
  if (!ca) {
    return makeError(ca.error());
  }
  std::vector<std::string> dnsNames = {"localhost"};
  dnsNames.insert(dnsNames.end(), extraDnsNames.begin(), extraDnsNames.end());
  std::vector<std::string> ipAddresses = {"127.0.0.1"};
  for (const auto& address : extraIpAddresses) {
    if (address != "127.0.0.1")
      ipAddresses.push_back(address);
  }
  auto server =
      ca->issue({.commonName = extraDnsNames.empty() ? "127.0.0.1" : extraDnsNames.front(),
                 .dnsNames = dnsNames,
                 .ipAddresses = ipAddresses});
  auto client = ca->issue({.commonName = clientName, .serverAuth = false, .clientAuth = true});
  if (!server || !client) {
    return makeError(!server ? server.error() : client.error());
  }
  for (const auto& status : {writeFile(files.caCert, ca->ca().certificatePem, false),
                             writeFile(files.serverCert, server->certificatePem, false),
                             writeFile(files.serverKey, server->privateKeyPem.reveal(), true),
                             writeFile(files.clientCert, client->certificatePem, false),
                             writeFile(files.clientKey, client->privateKeyPem.reveal(), true)}) {
    if (!status) {
      return makeError(status.error());
    }
  }
  return files;
}

} // namespace harborrobot::sim

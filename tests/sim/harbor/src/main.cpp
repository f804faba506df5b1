// harborrobot-harbor-sim: a Harbor stand-in for tests. Serves the API, the
// token service and /v2/ (in front of Debian's docker-registry) over HTTPS on
// 127.0.0.1 with a CA of its own; writes its CA and, last, its port into
// --state-dir.
#include <CLI/CLI.hpp>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>

#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "harborrobot/sim/stop_signals.h"
#include "harborrobot/sim/test_pki.h"
#include "http_frontend.h"

namespace {

namespace harborsim = harborrobot::harborsim;

std::optional<std::string> writeSnapshot(harborsim::HarborApi& api,
                                         const std::filesystem::path& file) {
  const auto temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << api.snapshot().dump(1) << "\n";
    if (!out)
      return "cannot write " + temporary;
  }
  std::filesystem::rename(temporary, file);
  return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"harborrobot-harbor-sim: a Harbor simulator for tests"};
  unsigned port = 0;
  std::string stateDir;
  std::string adminPassword = "Harbor12345";
  std::string version = "2.15";
  std::string registryBinary = "/usr/bin/docker-registry";
  std::string snapshotFile;
  unsigned failedLoginDelayMs = 1500;
  std::string listen = "127.0.0.1";
  std::vector<std::string> hostnames;
  app.add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--state-dir", stateDir, "directory for the port, the CA and registry data")
      ->required();
  app.add_option("--admin-password", adminPassword, "the admin user's password")
      ->capture_default_str();
  app.add_option("--version", version, "Harbor behaviour to reproduce: 2.12 to 2.16, or 2.X.Y")
      ->capture_default_str();
  app.add_option("--registry", registryBinary,
                 "the distribution registry to serve /v2/ from, or \"none\"")
      ->capture_default_str();
  app.add_option("--snapshot", snapshotFile,
                 "load state from FILE if it exists; save it there on stop and on "
                 "POST /_sim/snapshot");
  app.add_option("--listen", listen, "the loopback address to serve on")->capture_default_str();
  app.add_option("--hostname", hostnames,
                 "a DNS name for the certificate; the first one is the external URL's host "
                 "(repeatable)");
  std::vector<std::string> adminUsers;
  std::vector<std::string> adminGroupUsers;
  app.add_option("--admin-group-user", adminGroupUsers,
                 "NAME:PASSWORD of a user who is an administrator only through an LDAP/OIDC admin "
                 "group (sysadmin_flag false, admin_role_in_auth true; repeatable)");
  app.add_option("--admin-user", adminUsers,
                 "NAME:PASSWORD of another administrator, outside the local password policy "
                 "(repeatable)");
  app.add_option("--failed-login-delay-ms", failedLoginDelayMs,
                 "how long a failed Basic login is held (Harbor: 1500)")
      ->capture_default_str();
  std::string requestLogDir;
  if (const char* fromEnvironment = std::getenv("HARBORSIM_REQUEST_LOG_DIR"))
    requestLogDir = fromEnvironment;
  app.add_option("--request-log-dir", requestLogDir,
                 "also append every request, one JSON line each, to DIR/harbor-sim-<pid>.jsonl "
                 "(default: $HARBORSIM_REQUEST_LOG_DIR; empty: off)");
  CLI11_PARSE(app, argc, argv);
  harborsim::HarborVersion harborVersion;
  if (std::sscanf(version.c_str(), "2.%d.%d", &harborVersion.minor, &harborVersion.patch) < 1 ||
      harborVersion.minor < 12 || harborVersion.minor > 16) {
    std::cerr << "error: --version \"" << version << "\" is not a Harbor 2.12-2.16 version\n";
    return 2;
  }
  if (!listen.starts_with("127.") && listen != "::1") {
    std::cerr << "error: --listen \"" << listen << "\" is not a loopback address (127.0.0.0/8)\n";
    return 2;
  }
  const harborrobot::sim::StopSignals stopSignals;
  const std::filesystem::path state(stateDir);
  auto pki =
      harborrobot::sim::writeTestPki(state / "pki", "harbor-sim-client", hostnames, {listen});
  if (!pki) {
    std::cerr << "error: " << pki.error().message() << "\n";
    return 1;
  }
  auto tokens = harborsim::RegistryTokenIssuer::loadOrCreate(state / "pki" / "token.key");
  if (!tokens) {
    std::cerr << "error: " << tokens.error() << "\n";
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<harborsim::RegistryUpstream> registry;
  if (registryBinary != "none") {
    auto started = harborsim::RegistryUpstream::start(registryBinary, state / "registry",
                                                      std::chrono::seconds(30));
    if (!started) {
      std::cerr << "error: " << started.error() << "\n";
      return 1;
    }
    registry = std::move(*started);
  }
  Poco::Net::initializeSSL();
  int status = 0;
  {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, pki->serverKey.string(),
                               pki->serverCert.string(), "", Poco::Net::Context::VERIFY_NONE);
    context->enableSessionCache(true, "harborrobot-harbor-sim");
    Poco::Net::SecureServerSocket socket(
        Poco::Net::SocketAddress(listen, static_cast<Poco::UInt16>(port)), 64, context);
    const unsigned boundPort = socket.address().port();
    // The URL clients use, as Harbor's external_url: the token realm and
    // systeminfo carry it.
    const std::string externalUrl = "https://" + (hostnames.empty() ? listen : hostnames.front()) +
                                    (boundPort == 443 ? "" : ":" + std::to_string(boundPort));
    harborsim::HarborOptions options{harborVersion, externalUrl, adminPassword,
                                     std::chrono::milliseconds(failedLoginDelayMs)};
    for (const auto& entry : adminUsers) {
      const auto colon = entry.find(':');
      if (colon == std::string::npos || colon == 0) {
        std::cerr << "error: --admin-user: \"" << entry
                  << "\" is not NAME:PASSWORD (expected e.g. user1:pass1)\n";
        return 2;
      }
      options.extraAdmins.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
    }
    for (const auto& entry : adminGroupUsers) {
      const auto colon = entry.find(':');
      if (colon == std::string::npos || colon == 0) {
        std::cerr << "error: --admin-group-user: \"" << entry
                  << "\" is not NAME:PASSWORD (expected e.g. ldap-admin:pass1)\n";
        return 2;
      }
      options.adminGroupUsers.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
    }
    harborsim::HarborApi api(options, std::move(*tokens));
    if (!snapshotFile.empty() && std::filesystem::exists(snapshotFile)) {
      std::ifstream in(snapshotFile);
      const auto saved = nlohmann::json::parse(in, nullptr, false);
      if (auto error = api.restore(saved)) {
        std::cerr << "error: " << snapshotFile << ": " << *error << "\n";
        return 1;
      }
    }
    harborsim::FaultPlan faults;
    harborsim::RequestLog log;
    if (!requestLogDir.empty()) {
      if (auto error = log.persistTo(requestLogDir)) {
        std::cerr << "error: --request-log-dir: " << *error << "\n";
        return 1;
      }
    }
    harborsim::Frontend frontend{api, faults, log, registry.get(), nullptr};
    if (!snapshotFile.empty())
      frontend.saveSnapshot = [&] { return writeSnapshot(api, snapshotFile); };
    // Hang windows hold threads; leave room for the clients that keep working.
    Poco::ThreadPool threads(4, 128);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(128);
    params->setMaxQueued(256);
    Poco::Net::HTTPServer server(new harborsim::FrontendHandlerFactory(frontend), threads, socket,
                                 params);
    server.start();
    std::ofstream(state / "port.tmp") << boundPort << "\n";
    std::filesystem::rename(state / "port.tmp", state / "port");
    std::cout << "listening on https://" << listen << ":" << boundPort << " as " << externalUrl
              << std::endl;
    stopSignals.wait();
    faults.clear(); // releases requests held in a hang window
    server.stopAll(true);
    if (!snapshotFile.empty()) {
      if (auto error = writeSnapshot(api, snapshotFile)) {
        std::cerr << "error: " << *error << "\n";
        status = 1;
      }
    }
  }
  registry.reset();
  Poco::Net::uninitializeSSL();
  curl_global_cleanup();
  return status;
}

// harborrobot-harbor-sim: a Harbor core API stand-in for tests. Serves HTTPS on
// 127.0.0.1 with a CA of its own; writes its port and CA into --state-dir.
#include <CLI/CLI.hpp>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/URI.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>

#include "harbor_api.h"
#include "harborrobot/sim/stop_signals.h"
#include "harborrobot/sim/test_pki.h"

namespace {

using harborrobot::harborsim::HarborApi;

class Handler : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(HarborApi& api) : api_(api) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    harborrobot::harborsim::HarborRequest call;
    // The whole body is read first so a keep-alive connection stays in sync.
    call.body.assign(std::istreambuf_iterator<char>(request.stream()), {});
    const Poco::URI uri(request.getURI());
    call.method = request.getMethod();
    call.path = uri.getPath();
    call.rawQuery = uri.getRawQuery();
    call.authorization = request.get("Authorization", "");
    for (const auto& [name, value] : request) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      call.headers[lower] = value;
    }
    const auto answer = api_.handle(call);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    if (!answer.body.empty())
      response.setContentType(answer.contentType);
    for (const auto& [name, value] : answer.headers)
      response.set(name, value);
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
  }

private:
  HarborApi& api_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Factory(HarborApi& api) : api_(api) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(api_); // Poco takes ownership
  }

private:
  HarborApi& api_;
};

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"harborrobot-harbor-sim: a Harbor API simulator for tests"};
  unsigned port = 0;
  std::string stateDir;
  std::string adminPassword = "Harbor12345";
  std::string version = "2.15";
  app.add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--state-dir", stateDir, "directory for port and CA")->required();
  app.add_option("--admin-password", adminPassword, "the admin user's password")
      ->capture_default_str();
  app.add_option("--version", version, "Harbor behaviour to reproduce: 2.12 to 2.15, or 2.X.Y")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  harborrobot::harborsim::HarborVersion harborVersion;
  if (std::sscanf(version.c_str(), "2.%d.%d", &harborVersion.minor, &harborVersion.patch) < 1 ||
      harborVersion.minor < 12 || harborVersion.minor > 16) {
    std::cerr << "error: --version \"" << version << "\" is not a Harbor 2.12-2.16 version\n";
    return 2;
  }
  const harborrobot::sim::StopSignals stopSignals;
  const std::filesystem::path state(stateDir);
  auto pki = harborrobot::sim::writeTestPki(state / "pki", "harbor-sim-client");
  if (!pki) {
    std::cerr << "error: " << pki.error().message() << "\n";
    return 1;
  }
  Poco::Net::initializeSSL();
  {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, pki->serverKey.string(),
                               pki->serverCert.string(), "", Poco::Net::Context::VERIFY_NONE);
    context->enableSessionCache(true, "harborrobot-harbor-sim");
    Poco::Net::SecureServerSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 64, context);
    const unsigned boundPort = socket.address().port();
    HarborApi api({harborVersion, "https://127.0.0.1:" + std::to_string(boundPort), adminPassword});
    Poco::Net::HTTPServer server(new Factory(api), socket, new Poco::Net::HTTPServerParams);
    server.start();
    std::ofstream(state / "port.tmp") << boundPort << "\n";
    std::filesystem::rename(state / "port.tmp", state / "port");
    std::cout << "listening on https://127.0.0.1:" << boundPort << std::endl;
    stopSignals.wait();
    server.stop();
  }
  Poco::Net::uninitializeSSL();
  return 0;
}

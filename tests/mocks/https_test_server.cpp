// HttpsTestServer: Poco's HTTPServer on a SecureServerSocket bound to port 0.
#include "mocks/https_test_server.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>

namespace harborrobot::testing {

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(const TestHandler& handler) : handler_(handler) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string commonName;
    auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
    Poco::Net::SecureStreamSocket socket(impl.socket());
    if (socket.havePeerCertificate()) {
      commonName = socket.peerCertificate().commonName();
    }
    handler_(request, response, commonName);
  }

private:
  const TestHandler& handler_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Factory(const TestHandler& handler) : handler_(handler) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handler_); // Poco's server takes ownership
  }

private:
  const TestHandler& handler_;
};

void writeFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path);
  out << text;
}

} // namespace

struct HttpsTestServer::Impl {
  TestHandler handler;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
};

HttpsTestServer::HttpsTestServer(TestHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  auto authority = tls::CertificateAuthority::create("https-test-server-ca", std::chrono::hours(1));
  if (!authority) {
    throw std::runtime_error(authority.error().message());
  }
  authority_ = std::make_unique<tls::CertificateAuthority>(std::move(*authority));
  auto leaf = authority_->issue(
      {.commonName = "127.0.0.1", .dnsNames = {"localhost"}, .ipAddresses = {"127.0.0.1"}});
  if (!leaf) {
    throw std::runtime_error(leaf.error().message());
  }
  std::string pattern =
      (std::filesystem::temp_directory_path() / "harborrobot-https-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  directory_ = pattern;
  writeFile(directory_ / "ca.crt", authority_->ca().certificatePem);
  writeFile(directory_ / "tls.crt", leaf->certificatePem);
  writeFile(directory_ / "tls.key", leaf->privateKeyPem.reveal());

  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, (directory_ / "tls.key").string(),
                             (directory_ / "tls.crt").string(), (directory_ / "ca.crt").string(),
                             Poco::Net::Context::VERIFY_RELAXED);
  // Without a session id context OpenSSL refuses resumed sessions when client
  // certificates are requested ("tlsv1 alert internal error"); clients like curl
  // resume on every reused connection.
  context->enableSessionCache(true, "harborrobot-test");
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  impl_->port = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  impl_->server =
      std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->handler), socket, params);
  impl_->server->start();
}

HttpsTestServer::~HttpsTestServer() {
  impl_->server->stopAll(true);
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string HttpsTestServer::url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->port);
}

} // namespace harborrobot::testing

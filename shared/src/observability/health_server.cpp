// HealthServer on Poco's HTTPServer.
#include "harborrobot/observability/health_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <fmt/format.h>

namespace harborrobot {

namespace {

using Poco::Net::HTTPResponse;

struct Endpoints {
  HealthChecks checks;
  const metrics::Registry* registry = nullptr;
};

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(const Endpoints& endpoints) : endpoints_(endpoints) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const std::string path = request.getURI().substr(0, request.getURI().find('?'));
    const bool head = request.getMethod() == "HEAD";
    if (request.getMethod() != "GET" && !head) {
      response.set("Allow", "GET, HEAD");
      reply(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n",
            head);
      return;
    }
    if (path == "/healthz" || path == "/livez") {
      check(response, endpoints_.checks.live, head);
    } else if (path == "/readyz") {
      check(response, endpoints_.checks.ready, head);
    } else if (path == "/metrics" && endpoints_.registry != nullptr) {
      reply(response, HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
            endpoints_.registry->render(), head);
    } else {
      reply(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain", "not found\n", head);
    }
  }

private:
  static void reply(Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                    const std::string& type, const std::string& body, bool head) {
    response.setStatus(status);
    response.setContentType(type);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    auto& out = response.send();
    if (!head) {
      out << body;
    }
  }

  static void check(Poco::Net::HTTPServerResponse& response, const std::function<Status()>& probe,
                    bool head) {
    const Status status = probe ? probe() : ok();
    if (status) {
      reply(response, HTTPResponse::HTTP_OK, "text/plain", "ok\n", head);
    } else {
      reply(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "text/plain",
            status.error().message() + "\n", head);
    }
  }

  const Endpoints& endpoints_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Factory(const Endpoints& endpoints) : endpoints_(endpoints) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(endpoints_); // Poco's server owns and deletes handlers
  }

private:
  const Endpoints& endpoints_;
};

} // namespace

struct HealthServer::Impl {
  Endpoints endpoints;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
};

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() {
  if (impl_ && impl_->server) {
    impl_->server->stopAll(true);
  }
}

int HealthServer::port() const {
  return impl_->port;
}

Result<std::unique_ptr<HealthServer>> HealthServer::start(const std::string& address,
                                                          HealthChecks checks,
                                                          const metrics::Registry* registry) {
  auto impl = std::make_unique<Impl>();
  impl->endpoints = {std::move(checks), registry};
  try {
    // SO_REUSEPORT stays off: two processes must never share a probe port.
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(address), true, false);
    socket.listen(64);
    impl->port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setKeepAlive(true);
    impl->server =
        std::make_unique<Poco::Net::HTTPServer>(new Factory(impl->endpoints), socket, params);
    impl->server->start();
  } catch (const Poco::Exception& error) {
    return makeError(ErrorCode::kUnavailable, fmt::format("serving health endpoints on {}: {}",
                                                          address, error.displayText()));
  }
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

} // namespace harborrobot

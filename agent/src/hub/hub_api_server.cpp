#include "hub_api_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include "capped_connections.h"
#include "connection_deadlines.h"
#include "harborrobot/http/tls_socket.h"
#include "harborrobot/observability/redact.h"

namespace harborrobot::agent::hub {

namespace {

using Poco::Net::HTTPResponse;

class ApiHandler final : public Poco::Net::HTTPRequestHandler {
public:
  ApiHandler(HubApiDependencies& dependencies, ::harborrobot::hub::HubApi& api,
             ConnectionDeadlines& deadlines)
      : deps_(dependencies), api_(api), deadlines_(deadlines) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    // The headers are in: the connection's deadline is met. Handling has none
    // (it waits on Harbor and on the status write, each with its own timeout).
    deadlines_.disarmCurrent();
    const auto headerTimeout = api_.settings().limits.headerTimeout;
    ::harborrobot::hub::HubApiRequest call;
    call.method = request.getMethod();
    call.path = Poco::URI(request.getURI()).getPath();
    call.authorization = request.get("Authorization", "");
    if (request.hasContentLength()) {
      call.contentLength = request.getContentLength64();
    }
    call.chunked = request.getChunkedTransferEncoding();
    call.readBody = [&](std::size_t limit, std::string& text) {
      deadlines_.armCurrent(headerTimeout); // the body too, as a whole
      const bool read = ::harborrobot::hub::readBodyUpTo(request.stream(), limit, text);
      deadlines_.disarmCurrent();
      return read;
    };
    const auto answer = api_.handle(call, std::chrono::steady_clock::now());
    if (answer.closeConnection) {
      response.setKeepAlive(false);
    }
    if (answer.retryAfter) {
      response.set("Retry-After", std::to_string(answer.retryAfter->count()));
    }
    if (deps_.requests != nullptr) {
      deps_.requests->inc({answer.routeName, std::to_string(answer.status)});
    }
    if (answer.refusal) {
      deps_.logger.info("hub api refused", {{"method", call.method},
                                            {"path", call.path},
                                            {"code", answer.status},
                                            {"error", redactSecrets(answer.refusal->message())}});
    }
    response.setStatus(static_cast<HTTPResponse::HTTPStatus>(answer.status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
    // A kept-alive connection's next request has the same whole deadline.
    deadlines_.armCurrent(headerTimeout);
  }

private:
  HubApiDependencies& deps_;
  ::harborrobot::hub::HubApi& api_;
  ConnectionDeadlines& deadlines_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  Factory(HubApiDependencies& dependencies, ::harborrobot::hub::HubApi& api,
          ConnectionDeadlines& deadlines)
      : deps_(dependencies), api_(api), deadlines_(deadlines) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ApiHandler(deps_, api_, deadlines_); // Poco's HTTPServer takes ownership
  }

private:
  HubApiDependencies& deps_;
  ::harborrobot::hub::HubApi& api_;
  ConnectionDeadlines& deadlines_;
};

constexpr int kApiThreads = 64;

} // namespace

struct HubApiServer::Impl {
  explicit Impl(HubApiDependencies dependencies)
      : deps(std::move(dependencies)), api(deps.operations, deps.reviewer, deps.settings),
        connections{ConnectionCounts(deps.settings.limits.maxConnectionsPerAddress), deadlines,
                    deps.settings.limits.headerTimeout} {}
  HubApiDependencies deps;
  ::harborrobot::hub::HubApi api;
  ConnectionDeadlines deadlines;
  ConnectionGuards connections;
  // Its own pool, larger than Poco's default 16: an agent's activation waits
  // for the status write that carries it, and the more wait together, the fewer
  // writes (see GroupCommit). Declared before the server, which uses it.
  Poco::ThreadPool threads{2, kApiThreads};
  std::unique_ptr<Poco::Net::TCPServer> server;
  int port = 0;
};

HubApiServer::HubApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubApiServer::~HubApiServer() {
  if (impl_ && impl_->server) {
    impl_->server->stop();
  }
}

int HubApiServer::port() const {
  return impl_->port;
}

Result<std::unique_ptr<HubApiServer>> HubApiServer::start(const std::string& address,
                                                          const tls::KeyPair& serving,
                                                          HubApiDependencies dependencies) {
  auto impl = std::make_unique<Impl>(std::move(dependencies));
  try {
    auto context = http::TlsContext::forServer(serving.certificatePem, serving.privateKeyPem);
    if (!context) {
      return makeError(context.error().withContext(fmt::format("hub API on {}", address)));
    }
    http::TlsServerSocket socket(Poco::Net::SocketAddress(address), 64, std::move(*context));
    impl->port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kApiThreads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    // Each read waits at most this long; ConnectionDeadlines bounds the whole
    // handshake and headers (and a body) by the same figure, so neither an
    // idle nor a trickling client holds a thread for longer.
    params->setTimeout(Poco::Timespan(impl->deps.settings.limits.headerTimeout.count(), 0));
    params->setKeepAliveTimeout(
        Poco::Timespan(impl->deps.settings.limits.headerTimeout.count(), 0));
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory =
        new Factory(impl->deps, impl->api, impl->deadlines);
    impl->server = std::make_unique<Poco::Net::TCPServer>(
        new CappedConnectionFactory(params, factory, impl->connections), impl->threads, socket,
        params);
    impl->server->start();
  } catch (const Poco::Exception& error) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("hub API on {}: {}", address, error.displayText()));
  }
  return std::unique_ptr<HubApiServer>(new HubApiServer(std::move(impl)));
}

} // namespace harborrobot::agent::hub

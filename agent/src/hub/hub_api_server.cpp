#include "hub_api_server.h"

#include <map>
#include <mutex>
#include <sstream>

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
#include "harborrobot/http/status_codes.h"
#include "harborrobot/http/tls_socket.h"
#include "harborrobot/model/harbor_names.h"
#include "harborrobot/observability/redact.h"
#include "harborrobot/reconcile/hub_routes.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::hub {

namespace {

using Poco::Net::HTTPResponse;
using Json = nlohmann::json;

// What every handler shares: the per-namespace rate limit and the refused
// tokens (by hash), so a flood of bad tokens costs one TokenReview each per
// negativeReviewTtl, not one per request.
struct Guards {
  explicit Guards(const reconcile::HubApiLimits& limits)
      : limiter(limits.requestsPerSecond, limits.burst), refused(limits.maxCachedReviews) {}
  reconcile::RateLimiter limiter;
  reconcile::ExpiringCache<std::string> refused;
};

// Reads at most `limit` bytes of the body; false when there is more.
bool readBody(std::istream& stream, std::size_t limit, std::string& text) {
  char buffer[16384];
  while (stream) {
    stream.read(buffer, sizeof buffer);
    const auto got = static_cast<std::size_t>(stream.gcount());
    if (text.size() + got > limit) {
      return false;
    }
    text.append(buffer, got);
  }
  return true;
}

class ApiHandler final : public Poco::Net::HTTPRequestHandler {
public:
  ApiHandler(HubApiDependencies& dependencies, Guards& guards, ConnectionDeadlines& deadlines)
      : deps_(dependencies), guards_(guards), deadlines_(deadlines) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    // The headers are in: the connection's deadline is met. Handling has none
    // (it waits on Harbor and on the status write, each with its own timeout).
    deadlines_.disarmCurrent();
    const std::string path = Poco::URI(request.getURI()).getPath();
    const auto route = reconcile::parseHubRoute(path);
    const std::string routeName(route ? reconcile::hubRouteName(route->kind)
                                      : reconcile::kUnknownHubRouteName);
    auto result = handle(request, route);
    int code = result ? HTTPResponse::HTTP_OK : http::statusForErrorCode(result.error().code());
    if (tooLarge_) {
      code = HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    // A body left unread (refused before reading it: 401, 403, 429, 413, ...)
    // would be parsed as the next request on a kept-alive connection: close it.
    if (!bodyRead_ && (request.getChunkedTransferEncoding() ||
                       (request.hasContentLength() && request.getContentLength64() > 0))) {
      response.setKeepAlive(false);
    }
    if (retryAfter_) {
      response.set("Retry-After", std::to_string(retryAfter_->count()));
    }
    if (deps_.requests != nullptr) {
      deps_.requests->inc({routeName, std::to_string(code)});
    }
    if (!result) {
      deps_.logger.info("hub api refused", {{"method", request.getMethod()},
                                            {"path", path},
                                            {"code", code},
                                            {"error", redactSecrets(result.error().message())}});
    }
    const std::string body =
        result ? jsonText(*result) : jsonText(Json{{"error", result.error().message()}});
    response.setStatus(static_cast<HTTPResponse::HTTPStatus>(code));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
    // A kept-alive connection's next request has the same whole deadline.
    deadlines_.armCurrent(deps_.limits.headerTimeout);
  }

private:
  Result<Json> handle(Poco::Net::HTTPServerRequest& request,
                      const Result<reconcile::HubRoute>& route) {
    if (!route) {
      return makeError(route.error());
    }
    const std::string authorization = request.get("Authorization", "");
    if (!authorization.starts_with("Bearer ")) {
      return makeError(ErrorCode::kUnauthenticated,
                       "a projected ServiceAccount token is required (Authorization: Bearer)");
    }
    if (!reconcile::isJwtShaped(std::string_view(authorization).substr(7))) {
      return makeError(ErrorCode::kUnauthenticated,
                       "the bearer token is not a ServiceAccount token (a JWT: three base64url "
                       "parts joined by dots)");
    }
    const auto& limits = deps_.limits;
    const auto now = std::chrono::steady_clock::now();
    // A refused token is answered from memory for a while: no TokenReview each.
    const std::string tokenKey = sha256Hex(authorization.substr(7));
    if (auto refused = guards_.refused.find(tokenKey, now)) {
      return makeError(ErrorCode::kUnauthenticated, *refused);
    }
    auto caller = deps_.reviewer.review(SecretString(authorization.substr(7)));
    if (!caller) {
      if (caller.error().code() == ErrorCode::kUnauthenticated) {
        guards_.refused.put(tokenKey, caller.error().message(), now + limits.negativeReviewTtl,
                            now);
      }
      return makeError(caller.error());
    }
    if (caller->ns != route->ns) {
      return makeError(ErrorCode::kPermissionDenied,
                       fmt::format("{} may only act on namespace {}, not {}", caller->username,
                                   caller->ns, route->ns));
    }
    if (!deps_.agentServiceAccount.empty() && caller->serviceAccount != deps_.agentServiceAccount) {
      return makeError(ErrorCode::kPermissionDenied,
                       fmt::format("{} is not the agent's ServiceAccount ({})", caller->username,
                                   deps_.agentServiceAccount));
    }
    if (auto wait = guards_.limiter.admit(route->ns, now)) {
      retryAfter_ = *wait;
      return makeError(ErrorCode::kResourceExhausted,
                       fmt::format("namespace {} is over its request rate; retry in {} s",
                                   route->ns, wait->count()));
    }
    if (!deps_.isLeader()) {
      return makeError(ErrorCode::kUnavailable, "this hub replica is not the leader; retry");
    }
    Json body = Json::object();
    if (request.getMethod() != "GET") {
      std::string text;
      const bool declaredTooLarge =
          request.hasContentLength() &&
          request.getContentLength64() > static_cast<Poco::Int64>(limits.maxBody);
      deadlines_.armCurrent(limits.headerTimeout); // the body too, as a whole
      const bool read = !declaredTooLarge && readBody(request.stream(), limits.maxBody, text);
      deadlines_.disarmCurrent();
      if (!read) {
        tooLarge_ = true; // refused while reading: the rest is never buffered
        return makeError(ErrorCode::kInvalidArgument,
                         fmt::format("the request body exceeds {} bytes", limits.maxBody));
      }
      bodyRead_ = true;
      body = Json::parse(text, nullptr, false);
      if (body.is_discarded()) {
        return makeError(ErrorCode::kInvalidArgument, "the request body is not JSON");
      }
    }
    // The method is checked after the token, the rate limit and the body: a
    // wrong method from a caller without a valid token is a 401, not a 404.
    if (auto allowed = reconcile::checkHubRouteMethod(route->kind, request.getMethod()); !allowed) {
      return makeError(allowed.error());
    }
    switch (route->kind) {
    case reconcile::HubRouteKind::kBindings: {
      auto bindings = deps_.credentials.bindingsFor(route->ns);
      if (!bindings) {
        return makeError(bindings.error());
      }
      return reconcile::toJson(*bindings);
    }
    case reconcile::HubRouteKind::kCredentials: {
      auto parsed = reconcile::parseCredentialRequest(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      auto issued = deps_.credentials.issue(route->ns, route->binding, *parsed);
      if (!issued) {
        return makeError(issued.error());
      }
      return reconcile::toJson(*issued);
    }
    case reconcile::HubRouteKind::kActivation: {
      auto parsed = reconcile::parseActivation(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      if (auto done = deps_.credentials.activate(route->ns, route->binding, *parsed); !done) {
        return makeError(done.error());
      }
      return Json::object();
    }
    case reconcile::HubRouteKind::kStatus: {
      auto parsed = reconcile::parseAgentReport(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      // Capped and redacted: it goes into the binding's shared status.
      reconcile::capReport(*parsed, limits);
      if (auto done = deps_.credentials.report(route->ns, *parsed); !done) {
        return makeError(done.error());
      }
      return Json::object();
    }
    }
    return makeError(ErrorCode::kInternal, "unhandled hub API route");
  }

  HubApiDependencies& deps_;
  Guards& guards_;
  ConnectionDeadlines& deadlines_;
  bool tooLarge_ = false;
  bool bodyRead_ = false;
  std::optional<std::chrono::seconds> retryAfter_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  Factory(HubApiDependencies& dependencies, Guards& guards, ConnectionDeadlines& deadlines)
      : deps_(dependencies), guards_(guards), deadlines_(deadlines) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ApiHandler(deps_, guards_, deadlines_); // Poco's HTTPServer takes ownership
  }

private:
  HubApiDependencies& deps_;
  Guards& guards_;
  ConnectionDeadlines& deadlines_;
};

constexpr int kApiThreads = 64;

} // namespace

struct HubApiServer::Impl {
  explicit Impl(HubApiDependencies dependencies)
      : deps(std::move(dependencies)),
        guards(deps.limits), connections{ConnectionCounts(deps.limits.maxConnectionsPerAddress),
                                         deadlines, deps.limits.headerTimeout} {}
  HubApiDependencies deps;
  Guards guards;
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
    params->setTimeout(Poco::Timespan(impl->deps.limits.headerTimeout.count(), 0));
    params->setKeepAliveTimeout(Poco::Timespan(impl->deps.limits.headerTimeout.count(), 0));
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory =
        new Factory(impl->deps, impl->guards, impl->deadlines);
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

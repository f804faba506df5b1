#include "hub_api_server.h"

#include <sstream>

#include <Poco/Crypto/EVPPKey.h>
#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include "harborrobot/util/json_text.h"

namespace harborrobot::agent::hub {

namespace {

using Poco::Net::HTTPResponse;
using Json = nlohmann::json;

constexpr std::size_t kMaxBody = 1 << 20;

struct Route {
  std::string ns;
  std::string binding;
  std::string action; // "bindings", "credentials", "activation", "status"
};

// /v1/namespaces/{ns}/bindings, /v1/namespaces/{ns}/bindings/{name}/credentials,
// /v1/namespaces/{ns}/bindings/{name}/activation, /v1/namespaces/{ns}/status
std::optional<Route> parseRoute(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (!part.empty()) {
      parts.push_back(part);
    }
  }
  if (parts.size() < 4 || parts[0] != "v1" || parts[1] != "namespaces") {
    return std::nullopt;
  }
  if (parts.size() == 4 && (parts[3] == "bindings" || parts[3] == "status")) {
    return Route{parts[2], "", parts[3]};
  }
  if (parts.size() == 6 && parts[3] == "bindings" &&
      (parts[5] == "credentials" || parts[5] == "activation")) {
    return Route{parts[2], parts[4], parts[5]};
  }
  return std::nullopt;
}

HTTPResponse::HTTPStatus statusFor(ErrorCode code) {
  switch (code) {
  case ErrorCode::kInvalidArgument:
    return HTTPResponse::HTTP_BAD_REQUEST;
  case ErrorCode::kNotFound:
    return HTTPResponse::HTTP_NOT_FOUND;
  case ErrorCode::kUnauthenticated:
    return HTTPResponse::HTTP_UNAUTHORIZED;
  case ErrorCode::kPermissionDenied:
    return HTTPResponse::HTTP_FORBIDDEN;
  case ErrorCode::kFailedPrecondition:
  case ErrorCode::kConflict:
  case ErrorCode::kAlreadyExists:
    return HTTPResponse::HTTP_CONFLICT;
  case ErrorCode::kResourceExhausted:
    return HTTPResponse::HTTP_TOO_MANY_REQUESTS;
  default:
    return HTTPResponse::HTTP_SERVICE_UNAVAILABLE;
  }
}

class ApiHandler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit ApiHandler(HubApiDependencies& dependencies) : deps_(dependencies) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const std::string path = Poco::URI(request.getURI()).getPath();
    const auto route = parseRoute(path);
    std::string routeName = route ? route->action : "unknown";
    auto result = handle(request, route);
    const int code = result ? HTTPResponse::HTTP_OK : statusFor(result.error().code());
    if (deps_.requests != nullptr) {
      deps_.requests->inc({routeName, std::to_string(code)});
    }
    if (!result) {
      deps_.logger.info("hub api refused", {{"method", request.getMethod()},
                                            {"path", path},
                                            {"code", code},
                                            {"error", result.error().message()}});
    }
    const std::string body =
        result ? jsonText(*result) : jsonText(Json{{"error", result.error().message()}});
    response.setStatus(static_cast<HTTPResponse::HTTPStatus>(code));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }

private:
  Result<Json> handle(Poco::Net::HTTPServerRequest& request, const std::optional<Route>& route) {
    if (!route) {
      return makeError(ErrorCode::kNotFound, "no such hub API path");
    }
    const std::string authorization = request.get("Authorization", "");
    if (!authorization.starts_with("Bearer ")) {
      return makeError(ErrorCode::kUnauthenticated,
                       "a projected ServiceAccount token is required (Authorization: Bearer)");
    }
    auto caller = deps_.reviewer.review(SecretString(authorization.substr(7)));
    if (!caller) {
      return makeError(caller.error());
    }
    if (caller->ns != route->ns) {
      return makeError(ErrorCode::kPermissionDenied,
                       fmt::format("{} may only act on namespace {}, not {}", caller->username,
                                   caller->ns, route->ns));
    }
    if (!deps_.isLeader()) {
      return makeError(ErrorCode::kUnavailable, "this hub replica is not the leader; retry");
    }
    Json body = Json::object();
    if (request.getMethod() != "GET") {
      std::string text;
      Poco::StreamCopier::copyToString(request.stream(), text, kMaxBody + 1);
      if (text.size() > kMaxBody) {
        return makeError(ErrorCode::kInvalidArgument, "the request body exceeds 1 MiB");
      }
      body = Json::parse(text, nullptr, false);
      if (body.is_discarded()) {
        return makeError(ErrorCode::kInvalidArgument, "the request body is not JSON");
      }
    }
    const std::string method = request.getMethod();
    if (route->action == "bindings" && method == "GET") {
      auto bindings = deps_.bindings.bindingsFor(route->ns);
      if (!bindings) {
        return makeError(bindings.error());
      }
      return reconcile::toJson(*bindings);
    }
    if (route->action == "credentials" && method == "POST") {
      auto parsed = reconcile::parseCredentialRequest(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      auto issued = deps_.bindings.issue(route->ns, route->binding, *parsed);
      if (!issued) {
        return makeError(issued.error());
      }
      return reconcile::toJson(*issued);
    }
    if (route->action == "activation" && method == "POST") {
      auto parsed = reconcile::parseActivation(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      if (auto done = deps_.bindings.activate(route->ns, route->binding, *parsed); !done) {
        return makeError(done.error());
      }
      return Json::object();
    }
    if (route->action == "status" && method == "PUT") {
      auto parsed = reconcile::parseAgentReport(body);
      if (!parsed) {
        return makeError(parsed.error());
      }
      if (auto done = deps_.bindings.report(route->ns, *parsed); !done) {
        return makeError(done.error());
      }
      return Json::object();
    }
    return makeError(ErrorCode::kNotFound,
                     fmt::format("{} is not allowed on {}", method, route->action));
  }

  HubApiDependencies& deps_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Factory(HubApiDependencies& dependencies) : deps_(dependencies) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ApiHandler(deps_); // Poco's HTTPServer takes ownership
  }

private:
  HubApiDependencies& deps_;
};

constexpr int kApiThreads = 64;

} // namespace

struct HubApiServer::Impl {
  explicit Impl(HubApiDependencies dependencies) : deps(std::move(dependencies)) {}
  HubApiDependencies deps;
  // Its own pool, larger than Poco's default 16: an agent's activation waits
  // for the status write that carries it, and the more wait together, the fewer
  // writes (see GroupCommit). Declared before the server, which uses it.
  Poco::ThreadPool threads{2, kApiThreads};
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
};

HubApiServer::HubApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubApiServer::~HubApiServer() {
  if (impl_ && impl_->server) {
    impl_->server->stopAll(true);
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
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, "", Poco::Net::Context::VERIFY_NONE, 9, false);
    std::istringstream certificate(serving.certificatePem);
    context->useCertificate(Poco::Crypto::X509Certificate(certificate));
    std::istringstream key{std::string(serving.privateKeyPem.reveal())};
    context->usePrivateKey(Poco::Crypto::EVPPKey(nullptr, &key));
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress(address), 64, context);
    impl->port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kApiThreads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl->deps), impl->threads,
                                                           socket, params);
    impl->server->start();
  } catch (const Poco::Exception& error) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("hub API on {}: {}", address, error.displayText()));
  }
  return std::unique_ptr<HubApiServer>(new HubApiServer(std::move(impl)));
}

} // namespace harborrobot::agent::hub

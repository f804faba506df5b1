// KubeApiServer: the simulator's ApiServer behind Poco's HTTPServer, set up as
// harborrobot-kube-sim's main.cpp does (TLS, admin token, ServiceAccount tokens).
#include "mocks/kube_api_server.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "api_request_handler.h"
#include "api_server.h"
#include "harborrobot/sim/test_pki.h"
#include "kube_protobuf.h"
#include "object_store.h"
#include "resource_type.h"
#include "service_account_tokens.h"
#include "startup_files.h"

namespace harborrobot::testing {

using nlohmann::json;

namespace {

// Enough for a few informers' watches, which each hold a connection thread.
constexpr int kMaxConnections = 64;

std::string storageKey(const kube::ResourceType& type) {
  return type.group + "/" + type.plural;
}

std::string objectKey(const kube::ResourceType& type, std::string_view ns, std::string_view name) {
  return kubesim::objectKey(type.namespaced ? std::string(ns) : std::string(), std::string(name));
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("KubeApiServer: " + what);
}

} // namespace

std::string RecordedRequest::queryValue(std::string_view name) const {
  Poco::URI uri;
  uri.setRawQuery(rawQuery);
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

bool RecordedRequest::isWatch() const {
  const std::string watch = queryValue("watch");
  return method == "GET" && (watch == "true" || watch == "1");
}

struct KubeApiServer::Impl {
  explicit Impl(const KubeApiServerOptions& options) : store(options.watchHistory) {}

  std::filesystem::path directory;
  std::string adminToken = kubesim::randomToken();
  std::string caPem;
  int port = 0;
  std::unique_ptr<kubesim::TokenSigner> signer;
  kubesim::ObjectStore store;
  kubesim::TypeRegistry registry;
  std::unique_ptr<kubesim::ApiServer> api;
  kubesim::RequestCounter counter;
  Poco::ThreadPool threads{2, kMaxConnections};
  std::unique_ptr<Poco::Net::HTTPServer> server;
};

// Logs the request and holds watches when asked, then hands the request to the
// simulator's own handler (authentication, body, impersonation headers).
class KubeApiServer::Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(KubeApiServer& owner) : owner_(owner) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const Poco::URI uri(request.getURI());
    RecordedRequest recorded{request.getMethod(), uri.getPath(), uri.getRawQuery()};
    const bool watch = recorded.isWatch();
    owner_.record(std::move(recorded));
    if (watch && !owner_.admitWatch()) {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
      response.send();
      return;
    }
    Impl& impl = *owner_.impl_;
    kubesim::ApiRequestHandler(impl.adminToken, *impl.api, impl.counter)
        .handleRequest(request, response);
  }

private:
  KubeApiServer& owner_;
};

class KubeApiServer::HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit HandlerFactory(KubeApiServer& owner) : owner_(owner) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest& /*request*/) override {
    return new Handler(owner_); // Poco's server takes ownership
  }

private:
  KubeApiServer& owner_;
};

KubeApiServer::KubeApiServer(KubeApiServerOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  Poco::Net::initializeSSL();
  std::string pattern =
      (std::filesystem::temp_directory_path() / "harborrobot-kube-api-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    fail("mkdtemp failed");
  }
  impl_->directory = pattern;
  const auto pkiDirectory = impl_->directory / "pki";
  auto pki = sim::writeTestPki(pkiDirectory, "kube-sim-admin");
  if (!pki) {
    fail(pki.error().message());
  }
  auto signer = kubesim::TokenSigner::loadOrCreate(pkiDirectory);
  if (!signer) {
    fail(signer.error());
  }
  impl_->signer = std::move(*signer);
  impl_->caPem = kubesim::readTextFile(pki->caCert);

  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, pki->serverKey.string(), pki->serverCert.string(),
      pki->caCert.string(), Poco::Net::Context::VERIFY_RELAXED);
  // Clients resume TLS sessions; with client certificates requested OpenSSL
  // refuses resumption unless a session id context is set.
  context->enableSessionCache(true, "harborrobot-kube-api-server");
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  impl_->port = socket.address().port();

  kubesim::ApiServerOptions apiOptions;
  apiOptions.serverAddress = "127.0.0.1:" + std::to_string(impl_->port);
  apiOptions.caPem = impl_->caPem;
  apiOptions.decodeProtobuf = [](const std::string& body) -> kubesim::ApiResult<json> {
    auto decoded = kubesim::decodeKubeProtobuf(body);
    if (!decoded) {
      return tl::unexpected(kubesim::badRequest("the protobuf request body could not be decoded: " +
                                                decoded.error()));
    }
    return std::move(*decoded);
  };
  apiOptions.tokenSigner = impl_->signer.get();
  apiOptions.bookmarkAfterIdle = options.bookmarkAfterIdle;
  impl_->api = std::make_unique<kubesim::ApiServer>(impl_->store, impl_->registry, apiOptions);
  impl_->api->bootstrap();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(kMaxConnections);
  params->setMaxQueued(kMaxConnections);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), impl_->threads,
                                                          socket, params);
  impl_->server->start();

  admin_ = std::make_unique<kube::Client>(adminConfig());
  for (const auto& name : options.namespaces) {
    auto created = admin_->create(
        kube::resources::namespaces(), "",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
    if (!created) {
      stop(); // the server threads must not outlive the half-built object
      fail("creating namespace " + name + ": " + created.error().message());
    }
  }
}

KubeApiServer::~KubeApiServer() {
  stop();
}

void KubeApiServer::stop() {
  admin_.reset();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  impl_->store.stop(); // ends open watches so their threads can be joined
  impl_->server->stopAll(true);
  impl_->threads.joinAll();
  impl_->server.reset();
  std::error_code ignored;
  std::filesystem::remove_all(impl_->directory, ignored);
  impl_.reset();
  Poco::Net::uninitializeSSL();
}

std::string KubeApiServer::url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->port);
}

const std::string& KubeApiServer::caPem() const {
  return impl_->caPem;
}

kube::RestConfig KubeApiServer::adminConfig() const {
  kube::RestConfig config;
  config.server = url();
  config.tls.caPem = impl_->caPem;
  config.tokens = std::make_shared<kube::StaticTokenSource>(SecretString(impl_->adminToken));
  return config;
}

Result<kube::RestConfig>
KubeApiServer::serviceAccountConfig(std::string_view ns, std::string_view name, const json& rules) {
  const std::string account(name);
  const auto context = [&](const std::string& step) {
    return "setting up ServiceAccount " + std::string(ns) + "/" + account + ": " + step;
  };
  auto created = admin_->create(
      kube::resources::serviceAccounts(), ns,
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", account}}}});
  if (!created) {
    return makeError(created.error().withContext(context("creating it")));
  }
  created = admin_->create(kube::resources::roles(), ns,
                           {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                            {"kind", "Role"},
                            {"metadata", {{"name", account}}},
                            {"rules", rules}});
  if (!created) {
    return makeError(created.error().withContext(context("creating its Role")));
  }
  created = admin_->create(
      kube::resources::roleBindings(), ns,
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", {{"name", account}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", account}}},
       {"subjects",
        json::array(
            {{{"kind", "ServiceAccount"}, {"name", account}, {"namespace", std::string(ns)}}})}});
  if (!created) {
    return makeError(created.error().withContext(context("creating its RoleBinding")));
  }
  auto token = admin_->call(
      "POST", kube::resourcePath(kube::resources::serviceAccounts(), ns, account, "token"),
      json{{"apiVersion", "authentication.k8s.io/v1"},
           {"kind", "TokenRequest"},
           {"spec", {{"expirationSeconds", 3600}}}});
  if (!token) {
    return makeError(token.error().withContext(context("requesting a token")));
  }
  kube::RestConfig config;
  config.server = url();
  config.tls.caPem = impl_->caPem;
  config.tokens = std::make_shared<kube::StaticTokenSource>(
      SecretString(token->value("/status/token"_json_pointer, std::string())));
  config.ns = std::string(ns);
  return config;
}

std::optional<json> KubeApiServer::stored(const kube::ResourceType& type, std::string_view ns,
                                          std::string_view name) const {
  return impl_->store.get(storageKey(type), objectKey(type, ns, name));
}

std::vector<json> KubeApiServer::storedList(const kube::ResourceType& type,
                                            std::string_view ns) const {
  return impl_->store.list(storageKey(type), type.namespaced ? std::string(ns) : std::string())
      .items;
}

bool KubeApiServer::expireFromStorage(const kube::ResourceType& type, std::string_view ns,
                                      std::string_view name) {
  const std::string key = objectKey(type, ns, name);
  return impl_->store.write([&](kubesim::StoreWriter& writer) {
    return writer.erase(storageKey(type), key).has_value();
  });
}

std::uint64_t KubeApiServer::revision() const {
  return impl_->store.revision();
}

Status KubeApiServer::injectFaults(const json& plan) {
  auto configured = admin_->call("POST", "/_sim/faults", plan);
  if (!configured) {
    return makeError(configured.error().withContext("injecting faults"));
  }
  return ok();
}

Status KubeApiServer::clearFaults() {
  auto cleared = admin_->call("DELETE", "/_sim/faults");
  if (!cleared) {
    return makeError(cleared.error().withContext("clearing faults"));
  }
  return ok();
}

void KubeApiServer::record(RecordedRequest request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  changed_.notify_all();
}

std::vector<RecordedRequest> KubeApiServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool KubeApiServer::waitForRequests(
    const std::function<bool(const std::vector<RecordedRequest>&)>& done,
    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(requests_); });
}

void KubeApiServer::holdWatches() {
  std::lock_guard lock(mutex_);
  holding_ = true;
}

void KubeApiServer::releaseWatches() {
  {
    std::lock_guard lock(mutex_);
    holding_ = false;
  }
  changed_.notify_all();
}

bool KubeApiServer::waitForHeldWatches(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return held_ >= count; });
}

bool KubeApiServer::admitWatch() {
  std::unique_lock lock(mutex_);
  if (!holding_ || stopping_) {
    return !stopping_;
  }
  ++held_;
  changed_.notify_all();
  changed_.wait(lock, [this] { return !holding_ || stopping_; });
  --held_;
  return !stopping_;
}

} // namespace harborrobot::testing

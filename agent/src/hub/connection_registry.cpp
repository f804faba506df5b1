#include "connection_registry.h"

#include <fmt/format.h>

#include "harborrobot/plugin/connection_plugins.h"
#include "harborrobot/registry/harbor_facts.h"

namespace harborrobot::agent::hub {

namespace {

// The secret's resourceVersion is enough to know nothing changed; verifying
// again on every resync would call Harbor for nothing.
std::string versionOf(const kube::Json& object) {
  return object.value("/metadata/resourceVersion"_json_pointer, std::string());
}

} // namespace

ConnectionRegistry::ConnectionRegistry(kube::Client& client, const plugin::Host& plugins,
                                       std::string ns, const Logger& logger,
                                       kube::EventRecorder& events, std::function<void()> onChange,
                                       const HubMetrics* metrics, std::function<bool()> isLeader)
    : client_(client), plugins_(plugins), ns_(std::move(ns)), logger_(logger), events_(events),
      onChange_(std::move(onChange)), metrics_(metrics), isLeader_(std::move(isLeader)) {}

ConnectionRegistry::~ConnectionRegistry() {
  if (informer_) {
    informer_->stop();
  }
}

void ConnectionRegistry::start() {
  kube::InformerOptions options;
  options.ns = ns_;
  options.labelSelector = std::string(kConnectionLabel) + "=true";
  kube::InformerHandlers handlers;
  handlers.onAdd = [this](const kube::Json& secret) { upsert(secret); };
  handlers.onUpdate = [this](const kube::Json& before, const kube::Json& after) {
    if (versionOf(before) != versionOf(after)) {
      upsert(after);
    }
  };
  handlers.onDelete = [this](const kube::Json& secret) { erase(secret); };
  handlers.onError = [this](const Error& error) {
    logger_.warn("watching connection secrets", {{"error", error.message()}});
  };
  informer_ = std::make_unique<kube::Informer>(client_, kube::resources::secrets(), options,
                                               std::move(handlers));
  informer_->start();
}

bool ConnectionRegistry::waitForSync(std::chrono::milliseconds timeout) {
  return informer_ && informer_->waitForSync(timeout);
}

std::shared_ptr<const Connection> ConnectionRegistry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto found = connections_.find(name);
  return found == connections_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<const Connection>> ConnectionRegistry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Connection>> result;
  for (const auto& [name, connection] : connections_) {
    result.push_back(connection);
  }
  return result;
}

void ConnectionRegistry::countProblem(const std::string& reason) {
  if (metrics_ != nullptr && metrics_->connectionProblems != nullptr) {
    metrics_->connectionProblems->inc({reason});
  }
}

void ConnectionRegistry::recordVerdict(const kube::ObjectReference& reference,
                                       const Connection& connection) {
  if (connection.problemReason.empty()) {
    const auto verdict = registry::judgeConnection(
        connection.settings.url, connection.settings.username, *connection.server);
    (void)events_.record(reference, kube::EventType::kNormal, verdict.reason, verdict.message);
  } else {
    (void)events_.record(reference, kube::EventType::kWarning, connection.problemReason,
                         connection.problemMessage);
  }
}

void ConnectionRegistry::announce() {
  if (!informer_) {
    return;
  }
  for (const auto& connection : all()) {
    if (const auto secret = informer_->get(ns_, connection->settings.name)) {
      recordVerdict(kube::ObjectReference::of(*secret), *connection);
    }
  }
}

void ConnectionRegistry::upsert(const kube::Json& secret) {
  const std::string name = secret.value("/metadata/name"_json_pointer, std::string());
  auto connection = std::make_shared<Connection>();
  connection->uid = secret.value("/metadata/uid"_json_pointer, std::string());
  const auto reference = kube::ObjectReference::of(secret);
  auto parsed = parseConnectionSecret(secret);
  if (parsed) {
    // A plugin name the host never loaded is the Secret's mistake, reported
    // like any other field of it.
    if (auto plugins = plugin::checkConnectionPlugins(*parsed, plugins_); !plugins) {
      parsed = makeError(plugins.error());
    }
  }
  if (!parsed) {
    connection->settings.name = name;
    connection->settings.ns = ns_;
    connection->problemReason = "InvalidConnection";
    connection->problemMessage = parsed.error().message();
    logger_.warn("invalid connection secret",
                 {{"secret", name}, {"error", parsed.error().message()}});
    countProblem("InvalidConnection");
  } else {
    connection->settings = std::move(*parsed);
    http::ClientOptions options;
    options.tls.caPem = connection->settings.caPem;
    connection->http = std::make_unique<::harborrobot::hub::InstrumentedHttpClient>(
        std::make_unique<http::HttpsClient>(std::move(options)), metrics_);
    auto provider = plugins_.makeProvider(
        connection->settings.provider,
        {connection->settings.url, connection->settings.username, connection->settings.password},
        *connection->http);
    if (!provider) {
      connection->problemReason = "ProviderUnavailable";
      connection->problemMessage = provider.error().message();
    } else {
      connection->provider.emplace(std::move(*provider));
      const auto info = (*connection->provider)->serverInfo();
      if (info) {
        connection->server = *info;
      }
      const auto verdict =
          registry::judgeConnection(connection->settings.url, connection->settings.username, info);
      if (!verdict.verified()) {
        connection->problemReason = verdict.reason;
        connection->problemMessage = verdict.message;
      }
    }
    if (connection->problemReason.empty()) {
      logger_.info("connection verified", {{"secret", name},
                                           {"url", connection->settings.url},
                                           {"version", connection->server->version}});
    } else {
      logger_.warn("connection not usable", {{"secret", name},
                                             {"reason", connection->problemReason},
                                             {"message", connection->problemMessage}});
      countProblem(connection->problemReason);
    }
  }
  if (isLeader_()) {
    recordVerdict(reference, *connection);
  }
  {
    std::lock_guard lock(mutex_);
    connections_[name] = std::move(connection);
    checkedAt_[name] = std::chrono::steady_clock::now();
  }
  onChange_();
}

void ConnectionRegistry::recheckFailed(std::chrono::seconds interval) {
  if (!informer_) {
    return;
  }
  std::vector<std::string> due;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, connection] : connections_) {
      const auto checked = checkedAt_.find(name);
      if (!connection->problemReason.empty() && connection->problemReason != "InvalidConnection" &&
          (checked == checkedAt_.end() || now - checked->second >= interval)) {
        due.push_back(name);
      }
    }
  }
  for (const auto& name : due) {
    if (const auto secret = informer_->get(ns_, name)) {
      upsert(*secret);
    }
  }
}

void ConnectionRegistry::recheckNow(std::string_view name) {
  if (!informer_) {
    return;
  }
  if (const auto secret = informer_->get(ns_, std::string(name))) {
    upsert(*secret);
  }
}

void ConnectionRegistry::erase(const kube::Json& secret) {
  {
    std::lock_guard lock(mutex_);
    connections_.erase(secret.value("/metadata/name"_json_pointer, std::string()));
  }
  onChange_();
}

} // namespace harborrobot::agent::hub

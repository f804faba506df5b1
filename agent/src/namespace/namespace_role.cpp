// Wiring of the namespace agent: in-cluster client, the hub client, plugins,
// the DNS resolver, health endpoints, and the pass loop.
#include "namespace_role.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "../role_start.h"
#include "../role_usage.h"
#include "../shutdown_signal.h"
#include "harborrobot/dns/cares_resolver.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/retries_metric.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/namespaceagent/agent_metrics.h"
#include "harborrobot/observability/health_server.h"
#include "harborrobot/plugin/host.h"
#include "hub_client.h"
#include "namespace_agent.h"

namespace harborrobot::agent {

namespace {

constexpr std::string_view kUsage =
    "usage: harborrobot-agent namespace [flags]\n"
    "  --namespace NS          this agent's namespace (default $POD_NAMESPACE, else the "
    "in-cluster namespace file)\n"
    "  --hub-url URL           the hub API (default "
    "https://harborrobot-hub.harbor-robot-gen-system.svc:8443)\n"
    "  --hub-ca FILE           the hub's CA (default /var/run/harborrobot/hub-ca/ca.crt)\n"
    "  --hub-token FILE        projected token, audience harborrobot-hub (default "
    "/var/run/harborrobot/hub-token/token)\n"
    "  --health-listen ADDR:PORT  /healthz /readyz /metrics (default 0.0.0.0:8080)\n"
    "  --dns-server ADDR[:PORT]  for alias checks (repeatable; default: the system resolver)\n"
    "  --plugin-dir DIR        plugins (default $HARBORROBOT_PLUGIN_PATH, else "
    "../lib/harborrobot/plugins)\n"
    "  --in-cluster-dir DIR    ServiceAccount files (default "
    "/var/run/secrets/kubernetes.io/serviceaccount)\n"
    "  --log-level debug|info|warn|error\n";

} // namespace

int runNamespaceRole(const std::vector<std::string>& args) {
  int exitCode = 0;
  auto start =
      startRole("namespace", args,
                {.known = {"--namespace", "--hub-url", "--hub-ca", "--hub-token", "--health-listen",
                           "--dns-server", "--plugin-dir", "--in-cluster-dir", "--log-level"},
                 .repeatable = {"--dns-server"}},
                kUsage, exitCode);
  if (!start) {
    return exitCode;
  }
  const RoleFlags* flags = &start->flags;
  const Logger& logger = *start->logger;
  ShutdownSignal shutdown;

  auto config = clusterConfig(*flags, logger);
  if (!config) {
    return 1;
  }
  const std::string ns = flags->get("--namespace", config->ns);
  kube::Client client(std::move(*config));

  plugin::Host plugins;
  // An agent makes alias policies only; providers and resolvers are the hub's.
  if (!loadPlugins(plugins, *flags, logger, {plugin::Kind::kAliasPolicy})) {
    return 1;
  }
  auto resolver = dns::CaresResolver::create({.servers = flags->all("--dns-server")});
  if (!resolver) {
    logger.error("DNS resolver", {{"error", resolver.error().message()}});
    return 1;
  }
  namespace_role::HubClient hub(flags->get("--hub-url", wire::hubApiUrl()), ns,
                                flags->get("--hub-ca", "/var/run/harborrobot/hub-ca/ca.crt"),
                                flags->get("--hub-token", "/var/run/harborrobot/hub-token/token"));
  kube::EventRecorder events(client, std::string(wire::kAgentName), environment("POD_NAME", ""));
  metrics::Registry registry;
  auto agentMetrics = namespaceagent::registerAgentMetrics(registry);
  if (!agentMetrics) {
    logger.error("metrics registration failed", {{"error", agentMetrics.error().message()}});
    return 1;
  }
  auto kubeRetries = kube::registerRequestRetries(registry);
  if (!kubeRetries) {
    logger.error("metrics registration failed", {{"error", kubeRetries.error().message()}});
    return 1;
  }
  client.countRetriesIn(*kubeRetries);
  const char* failpoints = std::getenv("HARBORROBOT_FAILPOINTS");
  namespace_role::NamespaceAgent agent(
      client, hub, plugins, **resolver, logger, events, ns, *agentMetrics,
      namespace_role::Failpoints(failpoints != nullptr ? failpoints : ""));

  std::atomic<bool> changed{true};
  agent.start([&] { changed = true; });
  auto health = startHealth(*flags, logger, registry,
                            [&] { return agent.waitForSync(std::chrono::milliseconds(0)); });
  if (!health) {
    return 1;
  }
  logger.info("namespace agent started", {{"namespace", ns}, {"health_port", health->port()}});
  if (!agent.waitForSync(std::chrono::seconds(30))) {
    logger.warn("caches not synced after 30s; continuing");
  }
  auto next = std::chrono::system_clock::now();
  while (!shutdown.requested()) {
    if (changed.exchange(false) || std::chrono::system_clock::now() >= next) {
      next = agent.runOnce();
    }
    // Wakes every second to look at two local flags: no API call while idle.
    shutdown.waitFor(std::chrono::seconds(1));
  }
  agent.stop();
  logger.info("namespace agent stopped");
  return 0;
}

} // namespace harborrobot::agent

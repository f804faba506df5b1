// Wiring of the hub: in-cluster client, plugins, connection registry, binding
// controller, leader election, the hub API and the health endpoints.
#include "hub_role.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "../role_start.h"
#include "../role_usage.h"
#include "../shutdown_signal.h"
#include "agent_deployer.h"
#include "binding_controller.h"
#include "connection_registry.h"
#include "harborrobot/hub/hub_certificates.h"
#include "harborrobot/hub/hub_flags.h"
#include "harborrobot/hub/token_reviewer.h"
#include "harborrobot/kube/leader_election.h"
#include "harborrobot/kube/retries_metric.h"
#include "harborrobot/model/binding.h"
#include "harborrobot/model/wire_names.h"
#include "harborrobot/observability/health_server.h"
#include "harborrobot/plugin/host.h"
#include "hub_api_server.h"
#include "project_sync.h"

namespace harborrobot::agent {

namespace {

constexpr std::string_view kUsage =
    "usage: harborrobot-agent hub [flags]\n"
    "  --namespace NS          the hub's namespace (default $POD_NAMESPACE, else "
    "harbor-robot-gen-system)\n"
    "  --api-listen ADDR:PORT  the hub API, HTTPS (default 0.0.0.0:8443)\n"
    "  --health-listen ADDR:PORT  /healthz /readyz /metrics (default 0.0.0.0:8080)\n"
    "  --service-name NAME     the hub Service, for the certificate (default harborrobot-hub)\n"
    "  --extra-san NAME|IP     another certificate name (repeatable; the Pod IP is added "
    "from $POD_IP)\n"
    "  --lease NAME            the leader-election Lease (default harborrobot-hub)\n"
    "  --identity NAME         this replica's name in the Lease (default $POD_NAME, else the "
    "host name)\n"
    "  --cluster-id ID         the cluster's id in robot markers (default: kube-system's UID)\n"
    "  --plugin-dir DIR        plugins (default $HARBORROBOT_PLUGIN_PATH, else "
    "../lib/harborrobot/plugins)\n"
    "  --in-cluster-dir DIR    ServiceAccount files (default "
    "/var/run/secrets/kubernetes.io/serviceaccount)\n"
    "  --agents managed|external  whether the hub runs the namespace agents (default managed)\n"
    "  --agent-image IMAGE     the agents' image (default: this Pod's image)\n"
    "  --agent-service-account NAME  the only ServiceAccount whose tokens the hub API\n"
    "                          accepts (default harborrobot-agent with managed agents,\n"
    "                          any with external ones; \"*\" for any)\n"
    "  --agent-env NAME=VALUE  an environment variable for every managed agent, e.g.\n"
    "                          HTTPS_PROXY (repeatable)\n"
    "  --pending-timeout DUR   how long a robot may wait for its agent to activate it\n"
    "                          before it counts as abandoned (default 15m)\n"
    "  --allow-namespaces A,B  protected namespaces bindings may target after all: of\n"
    "                          kube-system, kube-public, kube-node-lease and the hub's own\n"
    "                          (repeatable; default none)\n"
    "  --log-level debug|info|warn|error\n";

std::string hostName() {
  char buffer[256] = {};
  return gethostname(buffer, sizeof(buffer) - 1) == 0 ? std::string(buffer) : "hub";
}

// The hub Service selects the leader label, so agents reach the leader and only
// the leader: the standby stays Ready (it would serve at once after a failover).
void labelOwnPod(kube::Client& client, const Logger& logger, const std::string& ns, bool leading) {
  const std::string pod = environment("POD_NAME", "");
  if (pod.empty()) {
    return;
  }
  auto patched = client.patch(kube::resources::pods(), ns, pod, kube::PatchType::kMerge,
                              ::harborrobot::hub::leaderLabelPatch(leading).dump());
  if (!patched) {
    logger.warn("cannot label this pod as the leader",
                {{"pod", pod}, {"error", patched.error().message()}});
  }
}

// The agents run the hub's own image unless told otherwise: one version.
std::string ownImage(kube::Client& client, const std::string& ns, std::string flag) {
  if (!flag.empty()) {
    return flag;
  }
  const std::string pod = environment("POD_NAME", "");
  if (!pod.empty()) {
    if (auto self = client.get(kube::resources::pods(), ns, pod)) {
      if (auto image = ::harborrobot::hub::firstContainerImage(*self)) {
        return *image;
      }
    }
  }
  return std::string(wire::kDefaultAgentImage);
}

} // namespace

int runHubRole(const std::vector<std::string>& args) {
  int exitCode = 0;
  auto start = startRole(
      "hub", args,
      {.known = {"--namespace", "--api-listen", "--health-listen", "--service-name", "--extra-san",
                 "--lease", "--identity", "--cluster-id", "--plugin-dir", "--in-cluster-dir",
                 "--log-level", "--agents", "--agent-image", "--agent-env", "--pending-timeout",
                 "--allow-namespaces", "--agent-service-account"},
       .repeatable = {"--extra-san", "--agent-env", "--allow-namespaces"}},
      kUsage, exitCode);
  if (!start) {
    return exitCode;
  }
  const RoleFlags* flags = &start->flags;
  const Logger& logger = *start->logger;
  ShutdownSignal shutdown;
  const std::string ns =
      flags->get("--namespace", environment("POD_NAMESPACE", std::string(wire::kSystemNamespace)));

  auto config = clusterConfig(*flags, logger);
  if (!config) {
    return 1;
  }
  kube::Client client(std::move(*config));

  std::string clusterId = flags->get("--cluster-id", "");
  if (clusterId.empty()) {
    auto system = client.get(kube::resources::namespaces(), "", "kube-system");
    if (!system) {
      logger.error("cannot read the kube-system namespace for the cluster id",
                   {{"error", system.error().message()}});
      return 1;
    }
    clusterId = system->value("/metadata/uid"_json_pointer, std::string());
  }

  plugin::Host plugins;
  if (!loadPlugins(plugins, *flags, logger)) {
    return 1;
  }

  auto serving = ::harborrobot::hub::loadServingCertificate(
      client, {flags->get("--service-name", std::string(wire::kHubName)), ns,
               ::harborrobot::hub::servingExtraNames(flags->all("--extra-san"),
                                                     environment("POD_IP", ""))});
  if (!serving) {
    logger.error("hub certificate", {{"error", serving.error().message()}});
    return 1;
  }

  metrics::Registry registry;
  auto requests = registry.counter("harborrobot_hub_api_requests_total",
                                   "Hub API requests by route and HTTP code.", {"route", "code"});
  auto leaderGauge =
      registry.gauge("harborrobot_hub_leader", "1 while this replica is the leader, else 0.");
  auto queueGauge = registry.gauge("harborrobot_hub_queue_depth", "Bindings waiting to reconcile.");
  auto hubMetrics = ::harborrobot::hub::registerHubMetrics(registry);
  auto kubeRetries = kube::registerRequestRetries(registry);
  if (!requests || !leaderGauge || !queueGauge || !hubMetrics || !kubeRetries) {
    logger.error("metrics registration failed");
    return 1;
  }
  client.countRetriesIn(*kubeRetries);

  kube::EventRecorder events(client, std::string(wire::kHubName),
                             environment("POD_NAME", hostName()));
  kube::LeaderElector* electorView = nullptr;
  std::unique_ptr<hub::BindingController> controller;
  std::unique_ptr<hub::ProjectSync> projects;
  hub::ConnectionRegistry connections(
      client, plugins, ns, logger, events,
      [&] {
        if (controller) {
          controller->enqueueAll();
        }
        if (projects) {
          projects->enqueueAll();
        }
      },
      &*hubMetrics, [&] { return electorView != nullptr && electorView->isLeader(); });
  const std::string agentsMode = flags->get("--agents", "managed");
  const auto managedAgents = ::harborrobot::hub::parseAgentsMode(agentsMode);
  if (!managedAgents) {
    logger.error(managedAgents.error().message(), {{"value", agentsMode}});
    return 2;
  }
  const std::string agentServiceAccount = ::harborrobot::hub::agentServiceAccountFor(
      flags->has("--agent-service-account")
          ? std::optional(flags->get("--agent-service-account", ""))
          : std::nullopt,
      *managedAgents);
  std::vector<std::pair<std::string, std::string>> agentEnv;
  for (const auto& entry : flags->all("--agent-env")) {
    auto variable = ::harborrobot::hub::parseAgentEnv(entry);
    if (!variable) {
      logger.error("--agent-env: expected NAME=VALUE", {{"value", entry}});
      return 2;
    }
    agentEnv.push_back(std::move(*variable));
  }
  auto pendingTimeout =
      ::harborrobot::hub::parsePendingTimeout(flags->get("--pending-timeout", "15m"));
  if (!pendingTimeout) {
    logger.error(pendingTimeout.error().message(),
                 {{"value", flags->get("--pending-timeout", "")}});
    return 2;
  }
  std::optional<hub::AgentDeployer> agents;
  if (*managedAgents) {
    agents.emplace(client,
                   hub::AgentTemplate{ownImage(client, ns, flags->get("--agent-image", "")), ns,
                                      flags->get("--service-name", std::string(wire::kHubName)),
                                      serving->caPem, agentEnv},
                   logger);
  }
  hub::HubSettings settings;
  settings.agents = agents ? &*agents : nullptr;
  settings.clusterId = clusterId;
  settings.hubNamespace = ns;
  settings.protectedNamespaces = reconcile::protectedNamespaces(
      ns, ::harborrobot::hub::allowedNamespaces(flags->all("--allow-namespaces")));
  settings.isLeader = [&] { return electorView != nullptr && electorView->isLeader(); };
  settings.metrics = &*hubMetrics;
  settings.pendingTimeout = *pendingTimeout;
  controller =
      std::make_unique<hub::BindingController>(client, connections, settings, logger, events);
  projects =
      std::make_unique<hub::ProjectSync>(client, connections, plugins, logger, events,
                                         settings.isLeader, [&] { controller->enqueueAll(); });

  const std::string identity = flags->get("--identity", environment("POD_NAME", hostName()));
  kube::LeaderElector elector(client,
                              {ns, flags->get("--lease", std::string(wire::kHubName)), identity},
                              {.onStartedLeading =
                                   [&] {
                                     logger.info("leading", {{"identity", identity}});
                                     (*leaderGauge)->set(1);
                                     labelOwnPod(client, logger, ns, true);
                                     controller->enqueueAll();
                                     projects->enqueueAll();
                                     connections.announce();
                                   },
                               .onStoppedLeading =
                                   [&] {
                                     logger.warn("no longer leading", {{"identity", identity}});
                                     (*leaderGauge)->set(0);
                                     labelOwnPod(client, logger, ns, false);
                                   },
                               .onNewLeader =
                                   [&](const std::string& leader) {
                                     logger.info("leader", {{"identity", leader}});
                                   }});
  electorView = &elector;

  connections.start();
  controller->start();
  projects->start();
  ::harborrobot::hub::TokenReviewer reviewer(client, std::string(wire::kHubTokenAudience));
  auto api = hub::HubApiServer::start(
      flags->get("--api-listen", "0.0.0.0:8443"), serving->serving,
      {.operations = controller->credentials(),
       .reviewer = reviewer,
       .logger = logger,
       .settings = {.limits = {},
                    .agentServiceAccount = agentServiceAccount,
                    // Served by a current leader whose caches have all listed:
                    // an agent asking earlier gets 503 and retries.
                    .isLeader = [&] { return elector.isLeader() && controller->servable(); }},
       .requests = *requests});
  if (!api) {
    logger.error("hub API", {{"error", api.error().message()}});
    return 1;
  }
  auto health = startHealth(*flags, logger, registry, [&] {
    return connections.waitForSync(std::chrono::milliseconds(0)) &&
           controller->waitForSync(std::chrono::milliseconds(0)) &&
           projects->waitForSync(std::chrono::milliseconds(0));
  });
  if (!health) {
    return 1;
  }
  logger.info("hub started", {{"namespace", ns},
                              {"cluster_id", clusterId},
                              {"api_port", (*api)->port()},
                              {"health_port", health->port()},
                              {"identity", identity}});

  std::thread election([&] { elector.run(shutdown.flag()); });
  while (!shutdown.waitFor(std::chrono::seconds(5))) {
    (*queueGauge)->set(static_cast<double>(controller->queueDepth()));
    connections.recheckFailed(std::chrono::seconds(20));
  }
  election.join(); // releases the lease so a standby takes over at once
  if (elector.isLeader()) {
    labelOwnPod(client, logger, ns, false);
  }
  api->reset();
  projects->stop();
  controller->stop();
  logger.info("hub stopped");
  return 0;
}

} // namespace harborrobot::agent

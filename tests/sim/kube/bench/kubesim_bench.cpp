// Benchmark of the Kubernetes simulator over HTTPS, through the core's own
// Kubernetes client: create and list throughput at 10,000 Secrets, watch
// fan-out latency with 500 watchers, and the server's resident memory.
// Prints figures; it asserts only that the work completed.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harborrobot/kube/client.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace kube = harborrobot::kube;

extern "C" char** environ;

// The simulator as a child process, stopped with SIGTERM when this goes away.
class SimulatorProcess {
public:
  SimulatorProcess(const std::string& binary, const std::filesystem::path& state) {
    std::filesystem::create_directories(state);
    std::vector<std::string> args = {binary,         "--port",  "0",          "--state-dir",
                                     state.string(), "--token", "bench-token"};
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + binary);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(state / "port")) {
      if (Clock::now() > deadline)
        throw std::runtime_error("simulator did not become ready");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::ifstream(state / "port") >> port_;
    std::ifstream caFile(state / "pki" / "ca.crt");
    caPem_.assign(std::istreambuf_iterator<char>(caFile), {});
  }
  ~SimulatorProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  SimulatorProcess(const SimulatorProcess&) = delete;
  SimulatorProcess& operator=(const SimulatorProcess&) = delete;

  kube::RestConfig restConfig() const {
    kube::RestConfig config;
    config.server = fmt::format("https://127.0.0.1:{}", port_);
    config.tls.caPem = caPem_;
    config.tokens =
        std::make_shared<kube::StaticTokenSource>(harborrobot::SecretString("bench-token"));
    return config;
  }

  long rssKiB() const {
    std::ifstream status(fmt::format("/proc/{}/status", pid_));
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("VmRSS:"))
        return std::stol(line.substr(6));
    }
    return -1;
  }

private:
  pid_t pid_ = 0;
  int port_ = 0;
  std::string caPem_;
};

double seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

void require(bool condition, const std::string& what) {
  if (!condition)
    throw std::runtime_error(what);
}

const kube::ResourceType kNamespaces{"", "v1", "namespaces", "Namespace", false};
const kube::ResourceType kSecrets{"", "v1", "secrets", "Secret", true};
const kube::ResourceType kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

void benchCreateAndList(kube::Client& client, const SimulatorProcess& sim, int count, int threads) {
  auto created = client.create(kNamespaces, "", {{"metadata", {{"name", "bench"}}}});
  require(created.has_value(), created ? "" : "create namespace: " + created.error().message());
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const auto started = Clock::now();
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        json secret = {{"metadata", {{"name", fmt::format("secret-{:05}", i)}}},
                       {"type", "Opaque"},
                       {"data", {{"token", "c2VjcmV0LXZhbHVl"}}}};
        if (!client.create(kSecrets, "bench", secret))
          ++failures;
      }
    });
  }
  workers.clear();
  const double createSeconds = seconds(Clock::now() - started);
  require(failures == 0, fmt::format("{} creates failed", failures.load()));
  fmt::print("create: {} Secrets in {:.2f} s = {:.0f} objects/s ({} client threads)\n", count,
             createSeconds, count / createSeconds, threads);

  for (int pageSize : {500, 0}) {
    const auto listStarted = Clock::now();
    kube::ListOptions options;
    options.pageSize = pageSize;
    auto listed = client.list(kSecrets, "bench", options);
    const double listSeconds = seconds(Clock::now() - listStarted);
    require(listed && (*listed)["items"].size() == static_cast<std::size_t>(count), "list");
    fmt::print("list: {} Secrets in {:.3f} s = {:.0f} objects/s ({})\n", count, listSeconds,
               count / listSeconds, pageSize ? fmt::format("pages of {}", pageSize) : "one page");
  }
  fmt::print("server RSS with {} Secrets: {:.1f} MiB\n", count, sim.rssKiB() / 1024.0);
}

// Every watcher records when it saw each round's object; the latency of a
// round is from sending the write until the last watcher saw it.
void benchWatchFanOut(kube::Client& client, int watchers, int rounds) {
  require(client.create(kNamespaces, "", {{"metadata", {{"name", "fan"}}}}).has_value(),
          "create namespace fan");
  auto listed = client.list(kConfigMaps, "fan");
  require(listed.has_value(), "list before watch");
  const std::string fromVersion = (*listed)["metadata"]["resourceVersion"];

  std::mutex mutex;
  std::condition_variable seen;
  std::map<std::string, std::vector<Clock::time_point>> arrivals;
  std::atomic<bool> stop{false};
  std::vector<std::jthread> threads;
  for (int w = 0; w < watchers; ++w) {
    threads.emplace_back([&] {
      kube::WatchOptions options;
      options.resourceVersion = fromVersion;
      options.cancel = &stop;
      options.allowBookmarks = false;
      (void)client.watch(kConfigMaps, "fan", options, [&](const kube::WatchEvent& event) {
        const auto now = Clock::now();
        std::lock_guard lock(mutex);
        arrivals[event.object["metadata"].value("name", "")].push_back(now);
        seen.notify_all();
        return !stop.load();
      });
    });
  }
  auto waitForAll = [&](const std::string& name) {
    std::unique_lock lock(mutex);
    return seen.wait_for(lock, std::chrono::seconds(60), [&] {
      return arrivals[name].size() >= static_cast<std::size_t>(watchers);
    });
  };
  // A warm-up object proves every watch is connected before timing starts.
  require(client.create(kConfigMaps, "fan", {{"metadata", {{"name", "warmup"}}}}).has_value(),
          "warm-up write");
  require(waitForAll("warmup"), "all watchers saw the warm-up object");

  std::vector<double> lastMs;
  std::vector<double> medianMs;
  for (int round = 0; round < rounds; ++round) {
    const std::string name = fmt::format("round-{}", round);
    // Measured from the write being sent: a watcher may see the object before
    // the writer's response arrives.
    const auto written = Clock::now();
    auto created = client.create(kConfigMaps, "fan", {{"metadata", {{"name", name}}}});
    require(created.has_value(), "round write");
    require(waitForAll(name), "all watchers saw " + name);
    std::vector<double> delays;
    {
      std::lock_guard lock(mutex);
      for (const auto& at : arrivals[name])
        delays.push_back(std::chrono::duration<double, std::milli>(at - written).count());
    }
    std::sort(delays.begin(), delays.end());
    medianMs.push_back(delays[delays.size() / 2]);
    lastMs.push_back(delays.back());
  }
  stop = true;
  std::sort(lastMs.begin(), lastMs.end());
  std::sort(medianMs.begin(), medianMs.end());
  fmt::print("watch fan-out to {} watchers over {} writes: median delivery {:.1f} ms, "
             "last watcher median {:.1f} ms, worst {:.1f} ms\n",
             watchers, rounds, medianMs[medianMs.size() / 2], lastMs[lastMs.size() / 2],
             lastMs.back());
  // Wake the watchers (cancel is checked about once a second).
  (void)client.create(kConfigMaps, "fan", {{"metadata", {{"name", "shutdown"}}}});
}

// Token-authenticated GETs by a ServiceAccount whose Role is granted by one of
// 1,000 RoleBindings in its namespace: authentication (JWT verification) plus
// RBAC evaluation on every request.
void benchRbacGets(kube::Client& admin, const kube::RestConfig& base, int bindings, int gets,
                   int threads) {
  const kube::ResourceType serviceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
  const kube::ResourceType roles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
  const kube::ResourceType roleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings",
                                        "RoleBinding", true};
  auto namespaceCreated = admin.create(kNamespaces, "", {{"metadata", {{"name", "rbac"}}}});
  require(namespaceCreated.has_value(),
          namespaceCreated ? "" : "create namespace rbac: " + namespaceCreated.error().message());
  require(admin.create(serviceAccounts, "rbac", {{"metadata", {{"name", "reader"}}}}).has_value(),
          "create the ServiceAccount");
  require(
      admin
          .create(
              roles, "rbac",
              {{"metadata", {{"name", "secret-reader"}}},
               {"rules",
                {{{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", {"get", "list"}}}}}})
          .has_value(),
      "create the Role");
  require(admin.create(kSecrets, "rbac", {{"metadata", {{"name", "target"}}}}).has_value(),
          "create the Secret");
  for (int i = 0; i < bindings; ++i) {
    // Only the last binding names the reader, so every check scans them all.
    const std::string subject = i + 1 == bindings ? "reader" : fmt::format("other-{}", i);
    auto created = admin.create(
        roleBindings, "rbac",
        {{"metadata", {{"name", fmt::format("binding-{:04}", i)}}},
         {"roleRef",
          {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "secret-reader"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", subject}, {"namespace", "rbac"}}}}});
    require(created.has_value(), "create a RoleBinding");
  }
  auto token = admin.call("POST", "/api/v1/namespaces/rbac/serviceaccounts/reader/token",
                          json{{"apiVersion", "authentication.k8s.io/v1"},
                               {"kind", "TokenRequest"},
                               {"spec", {{"expirationSeconds", 3600}}}});
  require(token.has_value(), "TokenRequest");
  kube::RestConfig config = base;
  config.tokens = std::make_shared<kube::StaticTokenSource>(
      harborrobot::SecretString((*token)["status"]["token"].get<std::string>()));
  kube::Client reader(config);
  auto denied = reader.get(kConfigMaps, "rbac", "kube-root-ca.crt");
  require(!denied.has_value(), "RBAC denies what the Role does not grant");
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const auto started = Clock::now();
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int i = next++; i < gets; i = next++) {
          if (!reader.get(kSecrets, "rbac", "target"))
            ++failures;
        }
      });
    }
  }
  const double elapsed = seconds(Clock::now() - started);
  require(failures == 0, fmt::format("{} authorized GETs failed", failures.load()));
  fmt::print("RBAC: {} token-authenticated GETs with {} RoleBindings in {:.2f} s = {:.0f} "
             "requests/s ({} client threads)\n",
             gets, bindings, elapsed, gets / elapsed, threads);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: harborrobot-kubesim-bench <harborrobot-kube-sim> [secrets] [watchers]\n";
    return 2;
  }
  const int secrets = argc > 2 ? std::stoi(argv[2]) : 10000;
  const int watchers = argc > 3 ? std::stoi(argv[3]) : 500;
  const auto state =
      std::filesystem::temp_directory_path() / fmt::format("kubesim-bench-{}", getpid());
  try {
    SimulatorProcess sim(argv[1], state);
    kube::Client client(sim.restConfig());
    benchCreateAndList(client, sim, secrets, 4);
    benchWatchFanOut(client, watchers, 20);
    benchRbacGets(client, sim.restConfig(), 1000, 2000, 4);
    fmt::print("server RSS after the watch run: {:.1f} MiB\n", sim.rssKiB() / 1024.0);
  } catch (const std::exception& error) {
    std::cerr << "benchmark failed: " << error.what() << "\n";
    std::filesystem::remove_all(state);
    return 1;
  }
  std::filesystem::remove_all(state);
  return 0;
}

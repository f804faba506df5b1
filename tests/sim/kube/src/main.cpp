// harborrobot-kube-sim: a kube-apiserver stand-in for tests. Serves HTTPS on
// 127.0.0.1, writes its port, CA, keys and a kubeconfig into --state-dir.
#include <CLI/CLI.hpp>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "api_request_handler.h"
#include "harborrobot/sim/stop_signals.h"
#include "harborrobot/sim/test_pki.h"
#include "kube_protobuf.h"
#include "kubeconfig_writer.h"
#include "object_store.h"
#include "service_account_tokens.h"
#include "snapshot.h"
#include "startup_files.h"

namespace {

constexpr int kMaxConnections = 1024;

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"harborrobot-kube-sim: a Kubernetes API simulator for tests"};
  unsigned port = 0;
  std::string stateDir;
  std::string token;
  std::string snapshotFile;
  std::int64_t minimumTokenSeconds = 600;
  std::size_t watchHistory = 100000;
  app.add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--state-dir", stateDir, "directory for port, kubeconfig, CA and keys")
      ->required();
  app.add_option("--token", token, "bearer token the token user presents (random if empty)");
  app.add_option("--snapshot", snapshotFile,
                 "file that keeps the cluster across restarts (read on start, written on stop)");
  app.add_option("--min-token-seconds", minimumTokenSeconds,
                 "shortest TokenRequest expirationSeconds accepted (the apiserver's is 600)")
      ->capture_default_str();
  app.add_option("--watch-history", watchHistory,
                 "changes kept for watches to resume from; older resourceVersions get 410")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  double compactionSeconds = 300;
  app.add_option("--compaction-interval-seconds", compactionSeconds,
                 "the apiserver's --etcd-compaction-interval: watch history older than one to "
                 "two intervals is gone (410); 0 keeps it")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  std::size_t etcdMaxRequestBytes = 1572864;
  int maxInflightPerUser = 0;
  app.add_option("--etcd-max-request-bytes", etcdMaxRequestBytes,
                 "etcd's --max-request-bytes: larger stored objects get 500 (0 turns it off)")
      ->capture_default_str();
  app.add_option("--max-inflight-per-user", maxInflightPerUser,
                 "requests one user may have in flight before 429 (0, the default, is no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  if (token.empty())
    token = harborrobot::kubesim::randomToken();

  const harborrobot::sim::StopSignals stopSignals;
  const std::filesystem::path state(stateDir);
  auto pki = harborrobot::sim::writeTestPki(state / "pki", "kube-sim-admin");
  if (!pki) {
    std::cerr << "error: " << pki.error().message() << "\n";
    return 1;
  }

  auto signer = harborrobot::kubesim::TokenSigner::loadOrCreate(state / "pki");
  if (!signer) {
    std::cerr << "error: " << signer.error() << "\n";
    return 1;
  }
  Poco::Net::initializeSSL();
  int exitCode = 0;
  harborrobot::kubesim::ObjectStore store(watchHistory);
  store.setCompactionInterval(
      std::chrono::milliseconds(static_cast<std::int64_t>(compactionSeconds * 1000)));
  harborrobot::kubesim::TypeRegistry registry;
  if (!snapshotFile.empty()) {
    if (auto loaded = harborrobot::kubesim::loadSnapshot(snapshotFile, store, registry); !loaded) {
      std::cerr << "error: " << loaded.error() << "\n";
      return 1;
    }
  }
  {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, pki->serverKey.string(), pki->serverCert.string(),
        pki->caCert.string(), Poco::Net::Context::VERIFY_RELAXED);
    // Clients resume TLS sessions (libcurl does after a connection closes);
    // with client-certificate verification on, OpenSSL refuses resumption
    // with an internal-error alert unless a session id context is set.
    context->enableSessionCache(true, "harborrobot-kube-sim");
    Poco::Net::SecureServerSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 256, context);
    const unsigned boundPort = socket.address().port();
    harborrobot::kubesim::ApiServer api(
        store, registry,
        {"127.0.0.1:" + std::to_string(boundPort), harborrobot::kubesim::readTextFile(pki->caCert),
         [](const std::string& body) -> harborrobot::kubesim::ApiResult<nlohmann::json> {
           auto decoded = harborrobot::kubesim::decodeKubeProtobuf(body);
           if (!decoded)
             return tl::unexpected(harborrobot::kubesim::badRequest(
                 "the protobuf request body could not be decoded: " + decoded.error()));
           return std::move(*decoded);
         },
         signer->get(), minimumTokenSeconds, etcdMaxRequestBytes, maxInflightPerUser});
    api.bootstrap();
    // Every watch holds a connection thread, so the pool must fit many watchers.
    Poco::ThreadPool threads(8, kMaxConnections);
    auto* params = new Poco::Net::HTTPServerParams; // ref-counted by Poco
    params->setMaxThreads(kMaxConnections);
    params->setMaxQueued(kMaxConnections);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    Poco::Net::HTTPServer server(new harborrobot::kubesim::ApiRequestHandlerFactory(token, api),
                                 threads, socket, params);
    server.start();

    const std::string url = "https://127.0.0.1:" + std::to_string(boundPort);
    if (auto written =
            harborrobot::kubesim::writeKubeconfig(state / "kubeconfig", url, token, *pki);
        !written) {
      std::cerr << "error: " << written.error().message() << "\n";
      exitCode = 1;
    } else {
      // The port file is written last: its presence tells a launcher we are ready.
      const auto portTmp = state / "port.tmp";
      std::ofstream(portTmp) << boundPort << "\n";
      std::filesystem::rename(portTmp, state / "port");
      std::cout << "listening on " << url << std::endl;
      stopSignals.wait();
    }
    store.stop(); // ends open watches so their threads can be joined
    server.stopAll(true);
    threads.joinAll();
  }
  if (!snapshotFile.empty()) {
    if (auto saved = harborrobot::kubesim::saveSnapshot(snapshotFile, store); !saved) {
      std::cerr << "error: " << saved.error() << "\n";
      exitCode = 1;
    }
  }
  Poco::Net::uninitializeSSL();
  return exitCode;
}

// A kubeconfig turned into a RestConfig the way kubectl (clientcmd) does it, for
// the kubectl plugin: kubectl resolves none of its own flags for a plugin
// (kubectl-traces.md §11), so the plugin must.
//
// Supported: the KUBECONFIG list (first file to define a name wins; the first
// non-empty current-context wins), --kubeconfig, --context, --namespace; clusters
// with certificate-authority(-data) or insecure-skip-tls-verify; users with token,
// tokenFile, client-certificate(-data)/client-key(-data) or an `exec` credential
// plugin (client.authentication.k8s.io v1 and v1beta1). Relative paths are taken
// relative to the file that names them. Basic auth and auth-provider are refused
// with a clear error rather than silently ignored.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/rest_config.h"

namespace harborrobot::kube {

struct KubeconfigRequest {
  std::string explicitFile{};   // --kubeconfig: only this file, which must exist
  std::string kubeconfigEnv{};  // $KUBECONFIG: a ':'-separated list; missing files skipped
  std::filesystem::path home{}; // for ~/.kube/config when neither is set
  std::string context{};        // --context; empty: current-context
  std::string ns{};             // -n/--namespace; empty: the context's, else "default"
  std::optional<std::chrono::milliseconds> requestTimeout{};
};

// What a kubeconfig selection resolved to, for messages and `doctor`.
struct KubeconfigSelection {
  std::vector<std::filesystem::path> files{};
  std::string contextName{};
  std::string clusterName{};
  std::string userName{};
};

struct LoadedKubeconfig {
  RestConfig rest{};
  KubeconfigSelection selection{};
};

// The files a request reads, in precedence order.
std::vector<std::filesystem::path> kubeconfigFiles(const KubeconfigRequest& request);

[[nodiscard]] Result<LoadedKubeconfig> loadKubeconfig(const KubeconfigRequest& request);

} // namespace harborrobot::kube

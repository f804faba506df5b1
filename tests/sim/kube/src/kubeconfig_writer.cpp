// Renders the simulator's kubeconfig; file paths (not inline data) keep it short
// and let a person read which CA and key a test used.
#include "kubeconfig_writer.h"

#include <fstream>

namespace harborrobot::kubesim {

Status writeKubeconfig(const std::filesystem::path& path, const std::string& serverUrl,
                       const std::string& token, const sim::PkiFiles& pki) {
  std::ofstream out(path, std::ios::trunc);
  out << "apiVersion: v1\n"
      << "kind: Config\n"
      << "clusters:\n"
      << "- name: kube-sim\n"
      << "  cluster:\n"
      << "    server: " << serverUrl << "\n"
      << "    certificate-authority: " << pki.caCert.string() << "\n"
      << "users:\n"
      << "- name: token-user\n"
      << "  user:\n"
      << "    token: " << token << "\n"
      << "- name: cert-user\n"
      << "  user:\n"
      << "    client-certificate: " << pki.clientCert.string() << "\n"
      << "    client-key: " << pki.clientKey.string() << "\n"
      << "contexts:\n"
      << "- name: kube-sim\n"
      << "  context: {cluster: kube-sim, user: token-user, namespace: default}\n"
      << "- name: kube-sim-cert\n"
      << "  context: {cluster: kube-sim, user: cert-user, namespace: default}\n"
      << "current-context: kube-sim\n";
  out.close();
  if (!out) {
    return makeError(ErrorCode::kInternal, "cannot write kubeconfig " + path.string());
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  return {};
}

} // namespace harborrobot::kubesim

// Verdicts from the hub's Events, and the local check over Harbor's API.
#include "connection_verdict.h"

#include <fmt/format.h>

#include "harbor_provider.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/registry/harbor_facts.h"

namespace harborrobot::cli {

Result<std::optional<ConnectionVerdict>> latestVerdict(kube::Client& client, const std::string& ns,
                                                       const std::string& uid,
                                                       const std::string& notBefore) {
  kube::ListOptions options;
  options.fieldSelector = "involvedObject.uid=" + uid;
  auto events = client.list(kube::resources::events(), ns, options);
  if (!events) {
    return makeError(events.error());
  }
  return newestVerdict(*events, notBefore);
}

ConnectionVerdict checkFromHere(const std::string& url, const std::string& username,
                                const std::string& password, const std::string& caPem) {
  http::ClientOptions options;
  options.tls.caPem = caPem;
  options.connectTimeout = std::chrono::seconds(10);
  http::HttpsClient http(std::move(options));
  // The hub's own reading of Harbor (its provider) and its own verdict.
  plugins::harbor::HarborProvider harbor({url, username, SecretString(password)}, http);
  const auto judged = registry::judgeConnection(url, username, harbor.serverInfo());
  ConnectionVerdict verdict;
  verdict.verified = judged.usable;
  verdict.reason = judged.reason;
  verdict.message = judged.message;
  return verdict;
}

} // namespace harborrobot::cli

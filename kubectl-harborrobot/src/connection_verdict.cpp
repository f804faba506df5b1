// Verdicts from the hub's Events, and the local check over Harbor's API.
#include "connection_verdict.h"

#include <fmt/format.h>

#include "harborrobot/http/https_client.h"
#include "harborrobot/registry/harbor_facts.h"
#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

constexpr std::string_view kVerified = "ConnectionVerified";

std::string eventTime(const kube::Json& event) {
  std::string newest = stringField(event, "lastTimestamp");
  for (const std::string& candidate :
       {stringField(event, "eventTime"), stringField(event, "firstTimestamp")}) {
    if (newest.empty()) {
      newest = candidate;
    }
  }
  return newest;
}

} // namespace

Result<std::optional<ConnectionVerdict>> latestVerdict(kube::Client& client, const std::string& ns,
                                                       const std::string& uid,
                                                       const std::string& notBefore) {
  kube::ListOptions options;
  options.fieldSelector = "involvedObject.uid=" + uid;
  auto events = client.list(kube::resources::events(), ns, options);
  if (!events) {
    return makeError(events.error());
  }
  std::optional<ConnectionVerdict> newest;
  for (const auto& event : events->value("items", kube::Json::array())) {
    const std::string time = eventTime(event);
    // RFC 3339 in UTC with the same precision compares correctly as text.
    if (time < notBefore || (newest && time < newest->time)) {
      continue;
    }
    ConnectionVerdict verdict;
    verdict.reason = stringField(event, "reason");
    verdict.verified = verdict.reason == kVerified;
    verdict.message = stringField(event, "message");
    verdict.time = time;
    newest = std::move(verdict);
  }
  return newest;
}

ConnectionVerdict checkFromHere(const std::string& url, const std::string& username,
                                const std::string& password, const std::string& caPem) {
  http::ClientOptions options;
  options.tls.caPem = caPem;
  options.connectTimeout = std::chrono::seconds(10);
  http::HttpsClient http(std::move(options));
  ConnectionVerdict verdict;
  // The user first: Harbor tells its version only to a signed-in caller.
  http::Request current;
  current.url = url + "/api/v2.0/users/current";
  current.timeout = std::chrono::seconds(15);
  current.basicAuth = http::BasicAuth{username, SecretString(password)};
  auto user = http.send(current);
  if (!user || user->status == 401) {
    verdict.reason = user ? "HarborAuthenticationFailed" : "HarborUnreachable";
    verdict.message = user
                          ? fmt::format("{} refused the username and password of {}", url, username)
                          : fmt::format("{}: {}", url, user.error().message());
    return verdict;
  }
  http::Request info = current;
  info.url = url + "/api/v2.0/systeminfo";
  auto answer = http.send(info);
  if (!answer || answer->status != 200) {
    verdict.reason = "HarborUnreachable";
    verdict.message =
        answer ? fmt::format("{}: GET /api/v2.0/systeminfo answered {}", url, answer->status)
               : fmt::format("{}: {}", url, answer.error().message());
    return verdict;
  }
  const auto system = kube::Json::parse(answer->body, nullptr, false);
  const auto profile = kube::Json::parse(user->body, nullptr, false);
  // 412 is Harbor's answer to robots on /users/current; a robot$ name is one too.
  const auto judged = registry::judgeConnection(
      {url, username, stringField(system, "harbor_version"),
       user->status != 200 || username.starts_with("robot$"),
       registry::isHarborAdministrator(profile), boolField(system, "read_only", false)});
  verdict.verified = judged.usable;
  verdict.reason = judged.reason;
  verdict.message = judged.message;
  return verdict;
}

} // namespace harborrobot::cli

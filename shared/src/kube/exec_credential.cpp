// The exec credential plugin: one run per expiry, output parsed strictly.
#include "harborrobot/kube/exec_credential.h"

#include <fmt/format.h>

#include "harborrobot/process/script_runner.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::kube {

namespace {

constexpr std::string_view kExecKind = "ExecCredential";
// A token is refreshed a little before it expires so a request never carries a
// token that dies in flight.
constexpr auto kExpirySkew = std::chrono::seconds(10);

std::string execInfo(const ExecConfig& config) {
  nlohmann::json spec = {{"interactive", false}};
  if (config.clusterInfo) {
    spec["cluster"] = *config.clusterInfo;
  }
  return nlohmann::json{{"kind", kExecKind}, {"apiVersion", config.apiVersion}, {"spec", spec}}
      .dump();
}

// The last line of the helper's stderr: enough to say why, bounded.
std::string lastErrorLine(const std::string& errors) {
  auto end = errors.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) {
    return {};
  }
  const auto start = errors.rfind('\n', end);
  std::string line = errors.substr(start == std::string::npos ? 0 : start + 1,
                                   end + 1 - (start == std::string::npos ? 0 : start + 1));
  return line.size() > 300 ? line.substr(0, 300) + "…" : line;
}

} // namespace

Result<ExecCredential> parseExecCredential(std::string_view output,
                                           std::string_view expectedApiVersion) {
  nlohmann::json document = nlohmann::json::parse(std::string(output), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "exec plugin output: not a JSON object (expected an ExecCredential)");
  }
  const auto apiVersion = stringField(document, "apiVersion");
  if (apiVersion != expectedApiVersion) {
    return makeError(fieldError("exec plugin output: apiVersion", apiVersion, "does not match",
                                fmt::format("the kubeconfig's {}", expectedApiVersion)));
  }
  const auto kind = stringField(document, "kind");
  if (kind != kExecKind) {
    return makeError(fieldError("exec plugin output: kind", kind, "is wrong", "ExecCredential"));
  }
  const auto status = document.find("status");
  if (status == document.end() || !status->is_object()) {
    return makeError(fieldErrorWithoutValue("exec plugin output: status", "is missing",
                                            "an object with token or client certificate data"));
  }
  ExecCredential credential;
  if (auto token = status->find("token"); token != status->end() && token->is_string()) {
    credential.token = SecretString(token->get<std::string>());
  }
  if (auto cert = status->find("clientCertificateData");
      cert != status->end() && cert->is_string()) {
    credential.clientCertificatePem = cert->get<std::string>();
  }
  if (auto key = status->find("clientKeyData"); key != status->end() && key->is_string()) {
    credential.clientKeyPem = SecretString(key->get<std::string>());
  }
  if (credential.token.empty() &&
      (credential.clientCertificatePem.empty() || credential.clientKeyPem.empty())) {
    return makeError(fieldErrorWithoutValue(
        "exec plugin output: status", "has no credential",
        "status.token, or both status.clientCertificateData and status.clientKeyData"));
  }
  if (auto expiry = status->find("expirationTimestamp");
      expiry != status->end() && !expiry->is_null()) {
    const std::string text = expiry->is_string() ? expiry->get<std::string>() : expiry->dump();
    auto when = parseRfc3339(text, "exec plugin output: status.expirationTimestamp");
    if (!when) {
      return makeError(when.error());
    }
    credential.expiresAt = *when;
  }
  return credential;
}

Result<ExecCredential> runExecPlugin(const ExecConfig& config) {
  std::vector<std::string> argv{config.command};
  argv.insert(argv.end(), config.args.begin(), config.args.end());
  process::ScriptOptions options;
  options.timeout = config.timeout;
  options.extraEnvironment = config.env;
  options.extraEnvironment.emplace_back("KUBERNETES_EXEC_INFO", execInfo(config));
  const auto context = fmt::format("getting credentials for user \"{}\" from exec plugin {}",
                                   config.userName, config.command);
  auto run = process::runCommand(argv, options);
  if (!run) {
    return makeError(run.error().withContext(context));
  }
  if (run->timedOut) {
    return makeError(ErrorCode::kDeadlineExceeded,
                     fmt::format("{}: no answer within {}s", context, config.timeout.count()));
  }
  if (!run->succeeded()) {
    const auto why = lastErrorLine(run->errors);
    return makeError(ErrorCode::kUnauthenticated,
                     fmt::format("{}: exited with {}{}{}", context,
                                 run->signal != 0 ? fmt::format("signal {}", run->signal)
                                                  : fmt::format("code {}", run->exitCode),
                                 why.empty() ? "" : ": ", why));
  }
  auto credential = parseExecCredential(run->output, config.apiVersion);
  if (!credential) {
    return makeError(credential.error().withContext(context));
  }
  return credential;
}

ExecTokenSource::ExecTokenSource(ExecConfig config, std::optional<ExecCredential> first)
    : config_(std::move(config)), cached_(std::move(first)) {}

Result<SecretString> ExecTokenSource::token(bool afterUnauthorized) {
  std::lock_guard lock(mutex_);
  const bool expired = cached_ && cached_->expiresAt &&
                       std::chrono::system_clock::now() + kExpirySkew >= *cached_->expiresAt;
  if (!cached_ || expired || afterUnauthorized) {
    auto fresh = runExecPlugin(config_);
    if (!fresh) {
      return makeError(fresh.error());
    }
    cached_ = std::move(*fresh);
  }
  return cached_->token;
}

} // namespace harborrobot::kube

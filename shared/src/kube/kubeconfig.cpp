// clientcmd's loading rules, reduced to what a kubeconfig in the wild uses.
#include "harborrobot/kube/kubeconfig.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harborrobot/kube/exec_credential.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/yaml_json.h"

namespace harborrobot::kube {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// One named entry (cluster, user or context) and the file it came from, so that
// its relative paths resolve against that file's directory.
struct Entry {
  Json body;
  fs::path file;
};

struct Merged {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string currentContext;
};

Result<std::string> readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kNotFound, fmt::format("{}: cannot be read", file.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Adds the file's named entries that no earlier file defined (first one wins).
Status mergeNamed(const Json& document, std::string_view listKey, std::string_view bodyKey,
                  const fs::path& file, std::map<std::string, Entry>& into) {
  const auto list = document.find(listKey);
  if (list == document.end() || list->is_null()) {
    return ok();
  }
  if (!list->is_array()) {
    return makeError(fieldError(fmt::format("{}: {}", file.string(), listKey), list->dump(),
                                "is not a list", "a list of {name, " + std::string(bodyKey) + "}"));
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& item = (*list)[i];
    const std::string name = stringField(item, "name");
    if (name.empty()) {
      return makeError(fieldErrorWithoutValue(
          fmt::format("{}: {}[{}].name", file.string(), listKey, i), "is missing", "a name"));
    }
    into.try_emplace(name, Entry{objectField(item, bodyKey), file});
  }
  return ok();
}

Result<Merged> mergeFiles(const std::vector<fs::path>& files) {
  Merged merged;
  for (const auto& file : files) {
    auto text = readText(file);
    if (!text) {
      return makeError(text.error());
    }
    auto document = yamlToJson(*text);
    if (!document) {
      return makeError(document.error().withContext(file.string()));
    }
    if (document->is_null()) {
      continue; // an empty file is an empty config
    }
    if (!document->is_object()) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}: not a kubeconfig (expected a mapping)", file.string()));
    }
    for (const auto& [list, body] : {std::pair{"clusters", "cluster"}, std::pair{"users", "user"},
                                     std::pair{"contexts", "context"}}) {
      auto& target = std::string_view(list) == "clusters" ? merged.clusters
                     : std::string_view(list) == "users"  ? merged.users
                                                          : merged.contexts;
      if (auto status = mergeNamed(*document, list, body, file, target); !status) {
        return makeError(status.error());
      }
    }
    if (merged.currentContext.empty()) {
      merged.currentContext = stringField(*document, "current-context");
    }
  }
  return merged;
}

fs::path resolveAgainst(const fs::path& file, const std::string& path) {
  fs::path candidate(path);
  if (candidate.is_relative()) {
    candidate = file.parent_path() / candidate;
  }
  return candidate;
}

Result<std::string> decoded(const Json& body, std::string_view key, std::string_view owner) {
  auto bytes = base64Decode(stringField(body, key));
  if (!bytes) {
    return makeError(fieldErrorWithoutValue(fmt::format("{}.{}", owner, key), "is not base64",
                                            "base64-encoded PEM"));
  }
  return bytes;
}

// Where an exec command runs from: a bare name is looked up in PATH, a relative
// path with a slash is relative to the kubeconfig (as client-go does).
Result<std::string> resolveCommand(const std::string& command, const fs::path& file,
                                   std::string_view userName) {
  if (command.find('/') != std::string::npos) {
    return resolveAgainst(file, command).string();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / command;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return makeError(ErrorCode::kNotFound,
                   fmt::format("exec plugin for user \"{}\": executable {} not found in PATH",
                               userName, command));
}

Result<ExecConfig> execConfigOf(const Json& exec, const Entry& user, std::string_view userName,
                                const Json& cluster, const RestConfig& rest) {
  ExecConfig config;
  config.userName = std::string(userName);
  config.apiVersion = stringField(exec, "apiVersion");
  const auto owner = fmt::format("users[{}].user.exec", userName);
  if (config.apiVersion != "client.authentication.k8s.io/v1" &&
      config.apiVersion != "client.authentication.k8s.io/v1beta1") {
    return makeError(fieldError(owner + ".apiVersion", config.apiVersion, "is not supported",
                                "client.authentication.k8s.io/v1 or /v1beta1"));
  }
  const auto interactiveMode = stringField(exec, "interactiveMode");
  if (config.apiVersion.ends_with("/v1") && interactiveMode.empty()) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("interactiveMode must be specified for {} to use exec "
                                 "authentication plugin",
                                 userName));
  }
  if (interactiveMode == "Always") {
    return makeError(fieldError(owner + ".interactiveMode", interactiveMode,
                                "needs a terminal, which a plugin run by kubectl may not have",
                                "Never or IfAvailable"));
  }
  auto command = resolveCommand(stringField(exec, "command"), user.file, userName);
  if (!command) {
    return makeError(command.error());
  }
  config.command = *command;
  if (const auto args = exec.find("args"); args != exec.end() && args->is_array()) {
    for (const auto& arg : *args) {
      config.args.push_back(arg.is_string() ? arg.get<std::string>() : arg.dump());
    }
  }
  if (const auto env = exec.find("env"); env != exec.end() && env->is_array()) {
    for (const auto& variable : *env) {
      config.env.emplace_back(stringField(variable, "name"), stringField(variable, "value"));
    }
  }
  if (boolField(exec, "provideClusterInfo", false)) {
    Json info = {{"server", rest.server}, {"config", nullptr}};
    if (const auto ca = stringField(cluster, "certificate-authority-data"); !ca.empty()) {
      info["certificate-authority-data"] = ca;
    }
    if (boolField(cluster, "insecure-skip-tls-verify", false)) {
      info["insecure-skip-tls-verify"] = true;
    }
    config.clusterInfo = std::move(info);
  }
  return config;
}

Status applyCluster(const Entry& cluster, std::string_view name, RestConfig& rest) {
  const auto owner = fmt::format("clusters[{}].cluster", name);
  rest.server = stringField(cluster.body, "server");
  if (rest.server.empty()) {
    return makeError(fieldErrorWithoutValue(owner + ".server", "is missing",
                                            "the API server's URL, https://host:port"));
  }
  while (!rest.server.empty() && rest.server.back() == '/') {
    rest.server.pop_back();
  }
  const bool insecure = boolField(cluster.body, "insecure-skip-tls-verify", false);
  const auto caFile = stringField(cluster.body, "certificate-authority");
  const auto caData = stringField(cluster.body, "certificate-authority-data");
  if (insecure && (!caFile.empty() || !caData.empty())) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: specifying a root certificates file with the insecure "
                                 "flag is not allowed",
                                 owner));
  }
  rest.tls.insecureSkipVerify = insecure;
  if (!caData.empty()) {
    auto pem = decoded(cluster.body, "certificate-authority-data", owner);
    if (!pem) {
      return makeError(pem.error());
    }
    rest.tls.caPem = std::move(*pem);
  } else if (!caFile.empty()) {
    rest.tls.caFile = resolveAgainst(cluster.file, caFile).string();
    if (!fs::exists(rest.tls.caFile)) {
      return makeError(fieldError(owner + ".certificate-authority", rest.tls.caFile,
                                  "does not exist", "a readable PEM file"));
    }
  }
  return ok();
}

Status applyUser(const Entry& user, std::string_view name, const Entry& cluster, RestConfig& rest) {
  const auto owner = fmt::format("users[{}].user", name);
  const auto& body = user.body;
  if (!stringField(body, "username").empty() || !stringField(body, "password").empty()) {
    return makeError(ErrorCode::kUnimplemented,
                     fmt::format("{}: basic authentication (username/password) is not supported; "
                                 "use a token, a client certificate or an exec plugin",
                                 owner));
  }
  if (body.contains("auth-provider")) {
    return makeError(ErrorCode::kUnimplemented,
                     fmt::format("{}: auth-provider was removed from kubectl; use an exec "
                                 "credential plugin instead",
                                 owner));
  }
  // Client certificate: data beats file, as in clientcmd.
  for (const auto& [dataKey, fileKey, isKey] :
       {std::tuple{"client-certificate-data", "client-certificate", false},
        std::tuple{"client-key-data", "client-key", true}}) {
    std::string pem;
    if (!stringField(body, dataKey).empty()) {
      auto bytes = decoded(body, dataKey, owner);
      if (!bytes) {
        return makeError(bytes.error());
      }
      pem = std::move(*bytes);
    } else if (const auto file = stringField(body, fileKey); !file.empty()) {
      auto text = readText(resolveAgainst(user.file, file));
      if (!text) {
        return makeError(fieldError(fmt::format("{}.{}", owner, fileKey),
                                    resolveAgainst(user.file, file).string(), "cannot be read",
                                    "a readable PEM file"));
      }
      pem = std::move(*text);
    }
    if (isKey) {
      rest.tls.clientKeyPem = SecretString(std::move(pem));
    } else {
      rest.tls.clientCertPem = std::move(pem);
    }
  }
  if (rest.tls.clientCertPem.empty() != rest.tls.clientKeyPem.empty()) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: a client certificate needs its key and the key its "
                                 "certificate (client-certificate and client-key)",
                                 owner));
  }
  if (const auto token = stringField(body, "token"); !token.empty()) {
    rest.tokens = std::make_shared<StaticTokenSource>(SecretString(token));
  } else if (const auto file = stringField(body, "tokenFile"); !file.empty()) {
    rest.tokens = std::make_shared<FileTokenSource>(resolveAgainst(user.file, file));
  } else if (const auto exec = body.find("exec"); exec != body.end() && exec->is_object()) {
    auto config = execConfigOf(*exec, user, name, cluster.body, rest);
    if (!config) {
      return makeError(config.error());
    }
    // Run it now: a helper may answer with a client certificate, which must be
    // known before the TLS client is built.
    auto first = runExecPlugin(*config);
    if (!first) {
      return makeError(first.error());
    }
    if (!first->clientCertificatePem.empty()) {
      rest.tls.clientCertPem = first->clientCertificatePem;
      rest.tls.clientKeyPem = first->clientKeyPem;
    }
    if (!first->token.empty()) {
      rest.tokens = std::make_shared<ExecTokenSource>(std::move(*config), std::move(*first));
    }
  }
  return ok();
}

} // namespace

std::vector<fs::path> kubeconfigFiles(const KubeconfigRequest& request) {
  if (!request.explicitFile.empty()) {
    return {request.explicitFile};
  }
  std::vector<fs::path> files;
  if (!request.kubeconfigEnv.empty()) {
    std::stringstream list(request.kubeconfigEnv);
    std::string item;
    while (std::getline(list, item, ':')) {
      if (!item.empty() && fs::exists(item) &&
          std::find(files.begin(), files.end(), fs::path(item)) == files.end()) {
        files.emplace_back(item);
      }
    }
    return files;
  }
  const auto fallback = request.home / ".kube" / "config";
  if (!request.home.empty() && fs::exists(fallback)) {
    files.push_back(fallback);
  }
  return files;
}

Result<LoadedKubeconfig> loadKubeconfig(const KubeconfigRequest& request) {
  const auto files = kubeconfigFiles(request);
  if (!request.explicitFile.empty() && !fs::exists(request.explicitFile)) {
    return makeError(
        fieldError("--kubeconfig", request.explicitFile, "does not exist", "a kubeconfig file"));
  }
  if (files.empty()) {
    return makeError(ErrorCode::kFailedPrecondition,
                     "no kubeconfig: --kubeconfig is not given, $KUBECONFIG names no existing "
                     "file and ~/.kube/config does not exist");
  }
  auto merged = mergeFiles(files);
  if (!merged) {
    return makeError(merged.error());
  }
  LoadedKubeconfig loaded;
  loaded.selection.files = files;
  auto& selection = loaded.selection;
  selection.contextName = request.context.empty() ? merged->currentContext : request.context;
  if (selection.contextName.empty()) {
    return makeError(ErrorCode::kFailedPrecondition,
                     "current-context is not set in the kubeconfig; pass --context NAME");
  }
  const auto context = merged->contexts.find(selection.contextName);
  if (context == merged->contexts.end()) {
    return makeError(ErrorCode::kNotFound,
                     fmt::format("context \"{}\" does not exist", selection.contextName));
  }
  selection.clusterName = stringField(context->second.body, "cluster");
  selection.userName = stringField(context->second.body, "user");
  const auto cluster = merged->clusters.find(selection.clusterName);
  if (cluster == merged->clusters.end()) {
    return makeError(ErrorCode::kNotFound,
                     fmt::format("context \"{}\": cluster \"{}\" does not exist",
                                 selection.contextName, selection.clusterName));
  }
  auto& rest = loaded.rest;
  if (auto status = applyCluster(cluster->second, selection.clusterName, rest); !status) {
    return makeError(status.error());
  }
  if (!selection.userName.empty()) {
    const auto user = merged->users.find(selection.userName);
    if (user == merged->users.end()) {
      return makeError(ErrorCode::kNotFound,
                       fmt::format("context \"{}\": user \"{}\" does not exist",
                                   selection.contextName, selection.userName));
    }
    if (auto status = applyUser(user->second, selection.userName, cluster->second, rest); !status) {
      return makeError(status.error());
    }
  }
  rest.ns = !request.ns.empty() ? request.ns : stringField(context->second.body, "namespace");
  if (rest.ns.empty()) {
    rest.ns = "default";
  }
  if (request.requestTimeout) {
    rest.timeout = *request.requestTimeout;
  }
  rest.userAgent = "kubectl-harborrobot/" HARBORROBOT_VERSION;
  return loaded;
}

} // namespace harborrobot::kube

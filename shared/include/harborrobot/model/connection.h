// The Harbor connection Secret of Alauda's Generator documentation: label harbor-robot-gen: "true",
// annotation harbor-robot-gen/projectFieldsPath, and the keys url, username,
// password, url.alias, url.alias.policy, url.alias.check.interval, url.alias.ips.
// data (base64) and stringData both work; stringData wins, as the apiserver merges.
//
// Optional additions: the key ca.crt (PEM) makes harborrobot trust a Harbor
// whose certificate is signed by a private CA; the annotations
// harborrobot.io/provider and harborrobot.io/project-resolver choose the plugins
// that talk to the registry and read project names (url.alias.policy chooses the
// alias policy plugin). The parser checks a plugin name's spelling only: which
// plugins exist is known where they are loaded (plugin/connection_plugins.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot {

inline constexpr std::string_view kConnectionLabel = "harbor-robot-gen";
inline constexpr std::string_view kProjectFieldsPathAnnotation =
    "harbor-robot-gen/projectFieldsPath";
inline constexpr std::string_view kProviderAnnotation = "harborrobot.io/provider";
inline constexpr std::string_view kProjectResolverAnnotation = "harborrobot.io/project-resolver";

struct HarborConnection {
  std::string name{};
  std::string ns{};
  std::string url{};
  std::string username{};
  SecretString password{};
  std::string caPem{};
  std::string provider = "harbor";
  std::string projectFieldsPath{}; // empty: no projects are created from namespaces
  std::string projectResolver = "jsonpath";
  std::optional<std::string> alias{};
  std::string aliasPolicy = "IfIPEqual";
  std::chrono::nanoseconds aliasCheckInterval{std::chrono::minutes(1)};
  std::vector<std::string> aliasIps{};
};

[[nodiscard]] Result<HarborConnection> parseConnectionSecret(const nlohmann::json& secret);
[[nodiscard]] Result<HarborConnection> parseConnectionSecretYaml(std::string_view text);

// A registry base URL: http(s), a host, an optional port, no path beyond "/", no
// query, fragment or credentials.
[[nodiscard]] Status validateRegistryUrl(std::string_view url, std::string_view path);

} // namespace harborrobot

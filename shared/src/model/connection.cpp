// Connection Secret parsing with the Generator documentation's keys and defaults.
#include "harborrobot/model/connection.h"
#include "harborrobot/util/json_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/go_duration.h"
#include "harborrobot/util/yaml_json.h"
#include "internal/json_fields.h"

namespace harborrobot {

namespace {

using internal::Json;
using internal::shown;

constexpr std::string_view kUrlExpectation = "e.g. https://harbor.example.com";
constexpr std::string_view kPluginNameExpectation =
    "a plugin's name: a letter, then letters, digits, '.', '_' or '-' (at most 63)";

// The names plugins register ("harbor", "IfIPEqual", "jsonpath"): spelled so they
// can never carry markup, paths or whitespace into messages and logs.
bool isPluginName(std::string_view name) {
  if (name.empty() || name.size() > 63 || !std::isalpha(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

bool isIp(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// What a JSON value is, for errors that must not quote it ("an array").
std::string kindOf(const Json& value) {
  const std::string name = value.type_name();
  return (name == "array" || name == "object" ? "an " : "a ") + name;
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool isValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t point = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      point = (point << 6) | (next & 0x3F);
    }
    const bool overlong = (length == 2 && point < 0x80) || (length == 3 && point < 0x800) ||
                          (length == 4 && point < 0x10000);
    if (overlong || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// The merged key/value view of a Secret: data decoded, then stringData over it.
// Every value must be UTF-8 text: bytes that are not would otherwise travel
// into events, the status and the hub API, whose JSON cannot carry them.
Result<std::map<std::string, std::string>> secretValues(const Json& secret) {
  std::map<std::string, std::string> values;
  if (secret.contains("data") && !secret["data"].is_null()) {
    if (!secret["data"].is_object()) {
      return makeError(fieldErrorWithoutValue(
          "data", fmt::format("is {}, not an object", kindOf(secret["data"])),
          "a map of keys to base64 values"));
    }
    for (const auto& [key, value] : secret["data"].items()) {
      const std::string path = fmt::format("data[{}]", key);
      if (!value.is_string()) {
        return makeError(fieldErrorWithoutValue(path, "is not a string", "base64 text"));
      }
      auto decoded = base64Decode(value.get<std::string>());
      if (!decoded) {
        // The value may be a password: name the key and the problem, not the text.
        return makeError(fieldErrorWithoutValue(
            path, fmt::format("is not valid base64 ({})", decoded.error().message()),
            "base64 text, or use stringData"));
      }
      if (!isValidUtf8(*decoded)) {
        // Named, never quoted: the value may be a password.
        return makeError(fieldErrorWithoutValue(path, "is not valid UTF-8 text",
                                                "UTF-8 text (check the encoding it was saved in)"));
      }
      values[key] = std::move(*decoded);
    }
  }
  if (secret.contains("stringData") && !secret["stringData"].is_null()) {
    if (!secret["stringData"].is_object()) {
      return makeError(fieldErrorWithoutValue(
          "stringData", fmt::format("is {}, not an object", kindOf(secret["stringData"])),
          "a map of keys to strings"));
    }
    for (const auto& [key, value] : secret["stringData"].items()) {
      if (!value.is_string()) {
        return makeError(fieldErrorWithoutValue(fmt::format("stringData[{}]", key),
                                                "is not a string", "a string (quote it in YAML)"));
      }
      if (!isValidUtf8(value.get<std::string>())) {
        return makeError(fieldErrorWithoutValue(fmt::format("stringData[{}]", key),
                                                "is not valid UTF-8 text", "UTF-8 text"));
      }
      values[key] = value.get<std::string>();
    }
  }
  return values;
}

} // namespace

Status validateRegistryUrl(std::string_view url, std::string_view path) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return makeError(fieldError(path, url, "is not an http(s) URL", kUrlExpectation));
  }
  if (rest.ends_with("/")) {
    rest.remove_suffix(1);
  }
  if (rest.empty()) {
    return makeError(fieldError(path, url, "has no host", kUrlExpectation));
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return makeError(
        fieldError(path, url, "has a path, query or fragment",
                   "only scheme, host and port, e.g. https://harbor.example.com:8443"));
  }
  if (rest.find('@') != std::string_view::npos) {
    return makeError(fieldErrorWithoutValue(path, "contains credentials",
                                            "no user:password@ in the URL; use the username "
                                            "and password keys"));
  }
  if (rest.find_first_of(" \t\r\n") != std::string_view::npos) {
    return makeError(fieldError(path, url, "contains white space", kUrlExpectation));
  }
  return ok();
}

Result<HarborConnection> parseConnectionSecret(const Json& secret) {
  if (!secret.is_object()) {
    // Never quoted: a document that is not a mapping may still hold the password.
    return makeError(fieldErrorWithoutValue(
        "(document)", fmt::format("is {}, not an object", kindOf(secret)), "a Secret"));
  }
  if (secret.contains("kind") && secret["kind"] != "Secret") {
    return makeError(fieldError("kind", shown(secret["kind"]), "is not Secret", "Secret"));
  }
  if (secret.contains("apiVersion") && secret["apiVersion"] != "v1") {
    return makeError(fieldError("apiVersion", shown(secret["apiVersion"]), "is not v1", "v1"));
  }
  HarborConnection connection;
  const Json metadata = objectField(secret, "metadata");
  connection.name = stringField(metadata, "name");
  connection.ns = stringField(metadata, "namespace");
  if (connection.name.empty()) {
    return makeError(fieldErrorWithoutValue("metadata.name", "is required", "the Secret's name"));
  }
  const Json labels = objectField(metadata, "labels");
  const std::string labelPath = fmt::format("metadata.labels[{}]", kConnectionLabel);
  if (!labels.contains(std::string(kConnectionLabel))) {
    return makeError(fieldErrorWithoutValue(labelPath, "is missing",
                                            "\"true\", which marks the Secret for harborrobot"));
  }
  if (labels[std::string(kConnectionLabel)] != "true") {
    return makeError(fieldError(labelPath, shown(labels[std::string(kConnectionLabel)]),
                                "is not \"true\"", "\"true\" (quoted in YAML)"));
  }
  const std::string type = stringField(secret, "type", "Opaque");
  if (type != "Opaque" && type != "kubernetes.io/opaque") {
    return makeError(
        fieldError("type", type, "is not an opaque Secret type", "kubernetes.io/opaque or Opaque"));
  }
  const Json annotations = objectField(metadata, "annotations");
  if (annotations.contains(std::string(kProjectFieldsPathAnnotation))) {
    const Json& value = annotations[std::string(kProjectFieldsPathAnnotation)];
    const std::string path = fmt::format("metadata.annotations[{}]", kProjectFieldsPathAnnotation);
    if (!value.is_string() || trim(value.get<std::string>()).empty()) {
      return makeError(fieldError(path, shown(value), "is not a JSONPath template",
                                  "e.g. {.metadata.labels.cpaas\\.io/inner-namespace}"));
    }
    connection.projectFieldsPath = trim(value.get<std::string>());
  }
  for (const auto& [annotation, field] :
       {std::pair{kProviderAnnotation, &connection.provider},
        std::pair{kProjectResolverAnnotation, &connection.projectResolver}}) {
    if (!annotations.contains(std::string(annotation))) {
      continue;
    }
    const Json& value = annotations[std::string(annotation)];
    const std::string path = fmt::format("metadata.annotations[{}]", annotation);
    if (!value.is_string() || !isPluginName(trim(value.get<std::string>()))) {
      return makeError(
          fieldError(path, shown(value), "is not a plugin name", kPluginNameExpectation));
    }
    *field = trim(value.get<std::string>());
  }

  auto values = secretValues(secret);
  if (!values) {
    return makeError(values.error());
  }
  const auto take = [&](const std::string& key) -> std::optional<std::string> {
    const auto found = values->find(key);
    if (found == values->end()) {
      return std::nullopt;
    }
    return found->second;
  };
  // Values may come with a trailing newline (echo ... | base64): trimmed, except the password.
  const auto url = take("url");
  if (!url || trim(*url).empty()) {
    return makeError(fieldErrorWithoutValue("url", "is required", kUrlExpectation));
  }
  connection.url = trim(*url);
  if (auto status = validateRegistryUrl(connection.url, "url"); !status) {
    return makeError(status.error());
  }
  const auto username = take("username");
  if (!username || trim(*username).empty()) {
    return makeError(fieldErrorWithoutValue("username", "is required",
                                            "a Harbor administrator's user name, not a robot"));
  }
  connection.username = trim(*username);
  if (connection.username.starts_with("robot$")) {
    return makeError(fieldError("username", connection.username, "is a robot account",
                                "a Harbor user with administrator rights (robots cannot manage "
                                "robots in Harbor 2.12)"));
  }
  const auto password = take("password");
  if (!password || password->empty()) {
    return makeError(fieldErrorWithoutValue("password", "is required", "the user's password"));
  }
  std::string passwordText = *password;
  while (!passwordText.empty() && (passwordText.back() == '\n' || passwordText.back() == '\r')) {
    passwordText.pop_back();
  }
  connection.password = SecretString(std::move(passwordText));
  if (const auto ca = take("ca.crt")) {
    if (ca->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return makeError(fieldErrorWithoutValue("ca.crt", "is not a PEM certificate",
                                              "-----BEGIN CERTIFICATE----- …"));
    }
    connection.caPem = *ca;
  }
  if (const auto alias = take("url.alias"); alias && !trim(*alias).empty()) {
    connection.alias = trim(*alias);
    if (auto status = validateRegistryUrl(*connection.alias, "url.alias"); !status) {
      return makeError(status.error());
    }
  }
  if (const auto policy = take("url.alias.policy"); policy && !trim(*policy).empty()) {
    const std::string value = trim(*policy);
    if (!isPluginName(value)) {
      return makeError(fieldError("url.alias.policy", value, "is not an alias policy name",
                                  "IfIPEqual, Always or another alias policy plugin's name"));
    }
    connection.aliasPolicy = value;
  }
  if (const auto interval = take("url.alias.check.interval");
      interval && !trim(*interval).empty()) {
    const std::string value = trim(*interval);
    auto parsed = parseGoDuration(value);
    if (!parsed) {
      return makeError(
          fieldError("url.alias.check.interval", value, "is not a duration", "e.g. 2m, 30s"));
    }
    if (*parsed < std::chrono::seconds(1)) {
      return makeError(fieldError("url.alias.check.interval", value, "is shorter than 1s",
                                  "at least 1s, e.g. 1m"));
    }
    connection.aliasCheckInterval = *parsed;
  }
  if (const auto ips = take("url.alias.ips"); ips && !trim(*ips).empty()) {
    std::string_view rest = *ips;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string ip = trim(rest.substr(0, comma));
      if (!isIp(ip)) {
        return makeError(fieldError("url.alias.ips", ip, "is not an IP address",
                                    "a comma-separated list, e.g. 192.168.1.1,192.168.1.2"));
      }
      connection.aliasIps.push_back(ip);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return connection;
}

Result<HarborConnection> parseConnectionSecretYaml(std::string_view text) {
  auto json = yamlToJson(text);
  if (!json) {
    return makeError(json.error());
  }
  return parseConnectionSecret(*json);
}

} // namespace harborrobot

// Malformed bindings and connection Secrets: each variant of a valid document gets
// one exact message naming the field, the value and what was expected.
#include <gtest/gtest.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/connection.h"

namespace harborrobot {
namespace {

const std::string kBinding = R"(apiVersion: harbor-robot-gen.alaudadevops.alauda.io/v1alpha1
kind: HarborRobotBinding
metadata:
  name: harbor-secret-for-team
spec:
  namespaces:
    names:
    - team-ns1
  generatedSecret:
    name: harbor-secret-for-team.robot
  serviceAccount:
    name: default
  harbor:
    project: team
    robot:
      access:
      - action: pull
        resource: repository
    secret:
      name: harbor
      namespace: harbor-robot-gen-system
  refreshInterval: 6h
)";

const std::string kConnection = R"(kind: Secret
apiVersion: v1
metadata:
  name: harbor
  namespace: harbor-robot-gen-system
  annotations:
    harbor-robot-gen/projectFieldsPath: "{.metadata.labels.cpaas\\.io/inner-namespace}"
  labels:
    harbor-robot-gen: "true"
type: kubernetes.io/opaque
stringData:
  username: api-user
  password: api-password
  url: https://harbor.example.com
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture lacks: " << from;
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Case {
  std::string from;
  std::string to;
  std::string message;
};

TEST(MalformedBinding, TheBaseDocumentIsValid) {
  auto binding = parseBindingYaml(kBinding);
  ASSERT_TRUE(binding) << binding.error().message();
}

TEST(MalformedBinding, EachVariantGetsItsExactMessage) {
  const std::vector<Case> cases = {
      {"refreshInterval: 6h", "refreshInterval: 6 hours",
       R"(spec.refreshInterval: "6 hours" is not a duration (expected e.g. 6h, 1h30m, 90s))"},
      {"refreshInterval: 6h", "refreshInterval: 30s",
       R"(spec.refreshInterval: "30s" is shorter than 1m (expected at least 1m))"},
      {"refreshInterval: 6h", "refreshInterval: 6",
       R"(spec.refreshInterval: "6" is not a duration (expected e.g. 6h, 1h30m, 90s))"},
      {"refreshInterval: 6h", "refreshInterval: -1h",
       R"(spec.refreshInterval: "-1h" is shorter than 1m (expected at least 1m))"},
      {"apiVersion: harbor-robot-gen.alaudadevops.alauda.io/v1alpha1", "apiVersion: v1",
       R"(apiVersion: "v1" is not the binding API version (expected harbor-robot-gen.alaudadevops.alauda.io/v1alpha1))"},
      {"kind: HarborRobotBinding", "kind: RobotBinding",
       R"(kind: "RobotBinding" is not HarborRobotBinding (expected HarborRobotBinding))"},
      {"  name: harbor-secret-for-team\n", "  name: Harbor_Secret\n",
       R"(metadata.name: "Harbor_Secret" is not a valid name (expected a lower-case RFC 1123 subdomain of at most 253 characters, e.g. harbor-secret-for-team.robot))"},
      {"    - team-ns1", "    - Team_NS1",
       R"(spec.namespaces.names[0]: "Team_NS1" is not a valid namespace name (expected a lower-case RFC 1123 label of at most 63 characters, e.g. team-ns1))"},
      {"    names:\n    - team-ns1", "    names: team-ns1",
       R"(spec.namespaces.names: "team-ns1" is not a list (expected a list of namespace names))"},
      {"    names:\n    - team-ns1", "    name: [team-ns1]",
       R"(spec.namespaces.name: "name" is not a known field (expected one of names, selector))"},
      {"    names:\n    - team-ns1",
       "    selector:\n      matchExpressions:\n      - {key: team, operator: In}",
       R"(spec.namespaces.selector.matchExpressions[0].values: must be specified when operator is In (expected at least one value))"},
      {"  generatedSecret:\n    name: harbor-secret-for-team.robot\n", "",
       R"(spec.generatedSecret: is required (expected {name: ...}))"},
      {"    name: harbor-secret-for-team.robot", "    name: \"\"",
       R"(spec.generatedSecret.name: is required (expected the Secret name to generate, e.g. harbor-secret-for-team.robot))"},
      {"    name: harbor-secret-for-team.robot", "    name: Harbor Secret",
       R"(spec.generatedSecret.name: "Harbor Secret" is not a valid name (expected a lower-case RFC 1123 subdomain of at most 253 characters, e.g. harbor-secret-for-team.robot))"},
      {"    name: default", "    name: Default!",
       R"(spec.serviceAccount.name: "Default!" is not a valid name (expected a lower-case RFC 1123 subdomain of at most 253 characters, e.g. harbor-secret-for-team.robot))"},
      {"    project: team", "    project: Team",
       R"(spec.harbor.project: "Team" is not a valid Harbor project name (expected 1-255 lower-case letters, digits and single '.', '_' or '-' between them, e.g. team))"},
      {"    project: team", "    project: team--a",
       R"(spec.harbor.project: "team--a" is not a valid Harbor project name (expected 1-255 lower-case letters, digits and single '.', '_' or '-' between them, e.g. team))"},
      {"    project: team\n", "",
       R"(spec.harbor.project: is required (expected a Harbor project name, e.g. team))"},
      {"      - action: pull", "      - action: pul",
       R"(spec.harbor.robot.access[0]: "repository:pul" is not a permission Harbor grants to project robots (expected e.g. repository:pull or repository:push (Harbor's robot permission list)))"},
      {"        resource: repository", "        resource: registry",
       R"(spec.harbor.robot.access[0]: "registry:pull" is not a permission Harbor grants to project robots (expected e.g. repository:pull or repository:push (Harbor's robot permission list)))"},
      {"      access:\n      - action: pull\n        resource: repository", "      access: []",
       R"(spec.harbor.robot.access: is required (expected at least one {action, resource}, e.g. {action: pull, resource: repository}))"},
      {"      access:\n      - action: pull\n        resource: repository", "      access: pull",
       R"(spec.harbor.robot.access: "pull" is not a list (expected a list of {action, resource}))"},
      {"      - action: pull\n", "      - actions: pull\n",
       R"(spec.harbor.robot.access[0].actions: "actions" is not a known field (expected one of action, resource, effect))"},
      {"    secret:\n      name: harbor\n      namespace: harbor-robot-gen-system\n", "",
       R"(spec.harbor.secret: is required (expected {name, namespace} of a harbor-robot-gen Secret))"},
      {"      namespace: harbor-robot-gen-system", "      namespace: Harbor System",
       R"(spec.harbor.secret.namespace: "Harbor System" is not a valid namespace name (expected a lower-case RFC 1123 label of at most 63 characters, e.g. team-ns1))"},
      {"  refreshInterval: 6h", "  refreshInterval: 6h\n  refreshIntervall: 1h",
       R"(spec.refreshIntervall: "refreshIntervall" is not a known field (expected one of namespaces, generatedSecret, serviceAccount, harbor, refreshInterval, rotation))"},
      {"  refreshInterval: 6h", "  refreshInterval: 6h\n  rotation:\n    gracePeriod: soon",
       R"(spec.rotation.gracePeriod: "soon" is not a duration (expected e.g. 6h, 1h30m, 90s))"},
      {"        resource: repository\n", "        resource: repository\n      duration: 3h\n",
       R"(spec.harbor.robot.duration: "3h" is shorter than 24h (expected at least 24h))"},
      {"        resource: repository\n    secret:\n      name: harbor\n      namespace: "
       "harbor-robot-gen-system\n  refreshInterval: 6h",
       "        resource: repository\n      duration: 24h\n    secret:\n      name: harbor\n      "
       "namespace: harbor-robot-gen-system\n  refreshInterval: 30h",
       R"(spec.harbor.robot.duration: "24h" would expire robots before they are rotated (expected more than spec.refreshInterval (30h0m0s)))"},
      {"  refreshInterval: 6h", "  refreshInterval: [6h]",
       R"(spec.refreshInterval: "[\"6h\"]" is not a duration (expected e.g. 6h, 1h30m, 90s))"},
      {"spec:\n", "spec: []\nx:\n",
       R"(spec: "[]" is not an object (expected an object with namespaces, generatedSecret, harbor, refreshInterval))"},
      {"  refreshInterval: 6h", "  refreshInterval: [6h",
       R"(yaml: line 23, column 1: end of sequence flow not found)"},
      {"    project: team", "    project: team\n    project: other",
       R"(yaml: line 15, column 5: mapping key "project" already defined)"},
  };
  for (const auto& [from, to, message] : cases) {
    auto binding = parseBindingYaml(replaced(kBinding, from, to));
    ASSERT_FALSE(binding) << "accepted: " << to;
    EXPECT_EQ(binding.error().code(), ErrorCode::kInvalidArgument) << to;
    EXPECT_EQ(binding.error().message(), message) << to;
  }
}

TEST(MalformedConnection, TheBaseDocumentIsValid) {
  auto connection = parseConnectionSecretYaml(kConnection);
  ASSERT_TRUE(connection) << connection.error().message();
}

TEST(MalformedConnection, EachVariantGetsItsExactMessage) {
  const std::vector<Case> cases = {
      {"  url: https://harbor.example.com", "  url: ftp://harbor.example.com",
       R"(url: "ftp://harbor.example.com" is not an http(s) URL (expected e.g. https://harbor.example.com))"},
      {"  url: https://harbor.example.com", "  url: https://harbor.example.com/api/v2.0",
       R"(url: "https://harbor.example.com/api/v2.0" has a path, query or fragment (expected only scheme, host and port, e.g. https://harbor.example.com:8443))"},
      {"  url: https://harbor.example.com", "  url: https://admin:pw@harbor.example.com",
       R"(url: contains credentials (expected no user:password@ in the URL; use the username and password keys))"},
      {"  url: https://harbor.example.com\n", "",
       R"(url: is required (expected e.g. https://harbor.example.com))"},
      {"  username: api-user\n", "",
       R"(username: is required (expected a Harbor administrator's user name, not a robot))"},
      {"  username: api-user", "  username: robot$ops",
       R"(username: "robot$ops" is a robot account (expected a Harbor user with administrator rights (robots cannot manage robots in Harbor 2.12)))"},
      {"  password: api-password\n", "", R"(password: is required (expected the user's password))"},
      {"    harbor-robot-gen: \"true\"", "    harbor-robot-gen: \"yes\"",
       R"(metadata.labels[harbor-robot-gen]: "yes" is not "true" (expected "true" (quoted in YAML)))"},
      {"  labels:\n    harbor-robot-gen: \"true\"\n", "",
       R"(metadata.labels[harbor-robot-gen]: is missing (expected "true", which marks the Secret for harborrobot))"},
      {"type: kubernetes.io/opaque", "type: kubernetes.io/dockerconfigjson",
       R"(type: "kubernetes.io/dockerconfigjson" is not an opaque Secret type (expected kubernetes.io/opaque or Opaque))"},
      {"  url: https://harbor.example.com",
       "  url: https://harbor.example.com\n  url.alias.policy: Some times",
       R"(url.alias.policy: "Some times" is not an alias policy name (expected IfIPEqual, Always or another alias policy plugin's name))"},
      {"  url: https://harbor.example.com",
       "  url: https://harbor.example.com\n  url.alias.check.interval: \"2\"",
       R"(url.alias.check.interval: "2" is not a duration (expected e.g. 2m, 30s))"},
      {"  url: https://harbor.example.com",
       "  url: https://harbor.example.com\n  url.alias.ips: 192.168.1.1,harbor",
       R"(url.alias.ips: "harbor" is not an IP address (expected a comma-separated list, e.g. 192.168.1.1,192.168.1.2))"},
      {"  url: https://harbor.example.com",
       "  url: https://harbor.example.com\n  url.alias: harbor.example.com",
       R"(url.alias: "harbor.example.com" is not an http(s) URL (expected e.g. https://harbor.example.com))"},
      {"stringData:\n  username: api-user", "data:\n  username: api-user!\nstringData:\n  other: x",
       R"(data[username]: is not valid base64 (illegal base64 data: length 9 is not a multiple of 4) (expected base64 text, or use stringData))"},
      {"  password: api-password", "  password: 12345",
       R"(stringData[password]: is not a string (expected a string (quote it in YAML)))"},
      {"    harbor-robot-gen/projectFieldsPath: "
       "\"{.metadata.labels.cpaas\\\\.io/inner-namespace}\"",
       "    harbor-robot-gen/projectFieldsPath: \"\"",
       R"(metadata.annotations[harbor-robot-gen/projectFieldsPath]: "" is not a JSONPath template (expected e.g. {.metadata.labels.cpaas\.io/inner-namespace}))"},
      {"  annotations:\n", "  annotations:\n    harborrobot.io/provider: ../harbor\n",
       R"(metadata.annotations[harborrobot.io/provider]: "../harbor" is not a plugin name (expected a plugin's name: a letter, then letters, digits, '.', '_' or '-' (at most 63)))"},
      {"  annotations:\n", "  annotations:\n    harborrobot.io/project-resolver: \"\"\n",
       R"(metadata.annotations[harborrobot.io/project-resolver]: "" is not a plugin name (expected a plugin's name: a letter, then letters, digits, '.', '_' or '-' (at most 63)))"},
  };
  for (const auto& [from, to, message] : cases) {
    auto connection = parseConnectionSecretYaml(replaced(kConnection, from, to));
    ASSERT_FALSE(connection) << "accepted: " << to;
    EXPECT_EQ(connection.error().message(), message) << to;
    EXPECT_EQ(connection.error().message().find("api-password"), std::string::npos);
  }
}

TEST(MalformedConnection, PluginChoicesHaveDefaultsAndAreRead) {
  auto defaults = parseConnectionSecretYaml(kConnection);
  ASSERT_TRUE(defaults) << defaults.error().message();
  EXPECT_EQ(defaults->provider, "harbor");
  EXPECT_EQ(defaults->projectResolver, "jsonpath");
  EXPECT_EQ(defaults->aliasPolicy, "IfIPEqual");
  auto chosen = parseConnectionSecretYaml(
      replaced(replaced(kConnection, "  annotations:\n",
                        "  annotations:\n    harborrobot.io/provider: \" test-registry \"\n"
                        "    harborrobot.io/project-resolver: test.resolver_2\n"),
               "  url: https://harbor.example.com",
               "  url: https://harbor.example.com\n  url.alias.policy: TestPolicy"));
  ASSERT_TRUE(chosen) << chosen.error().message();
  EXPECT_EQ(chosen->provider, "test-registry");
  EXPECT_EQ(chosen->projectResolver, "test.resolver_2");
  EXPECT_EQ(chosen->aliasPolicy, "TestPolicy");
}

TEST(MalformedConnection, NotUtf8IsNamedNeverQuoted) {
  // https://harbor\xff.example.com, base64: the hub once died on it (nlohmann::json
  // cannot write such a string into an event).
  auto connection = parseConnectionSecretYaml(replaced(
      kConnection, "stringData:\n  username: api-user",
      "data:\n  url: aHR0cHM6Ly9oYXJib3L/LmV4YW1wbGUuY29t\nstringData:\n  username: api-user"));
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().message(),
            "data[url]: is not valid UTF-8 text (expected UTF-8 text (check the encoding it was "
            "saved in))");
  nlohmann::json secret = {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata",
                            {{"name", "harbor"},
                             {"namespace", "harbor-robot-gen-system"},
                             {"labels", {{std::string(kConnectionLabel), "true"}}}}},
                           {"stringData",
                            {{"url", "https://harbor.example.com"},
                             {"username", "api-user"},
                             {"password", "api-\xc3password"}}}};
  auto raw = parseConnectionSecret(secret);
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().message().find("password\xc3"), std::string::npos);
  EXPECT_NE(raw.error().message().find("stringData[password]"), std::string::npos);
}

TEST(MalformedConnection, ADocumentThatIsNotAMappingIsNeverQuoted) {
  // Found by libFuzzer: the error once quoted the whole document, password included.
  for (const std::string& text :
       {std::string("- password: Pa55w0rdFuzz\n"), std::string("Pa55w0rdFuzz\n"),
        std::string("stringData: Pa55w0rdFuzz\n"), std::string("data: [Pa55w0rdFuzz]\n")}) {
    auto connection = parseConnectionSecretYaml(text);
    ASSERT_FALSE(connection) << text;
    EXPECT_EQ(connection.error().message().find("Pa55w0rdFuzz"), std::string::npos)
        << connection.error().message();
  }
}

TEST(MalformedConnection, DataAndStringDataMergeWithStringDataWinning) {
  auto connection = parseConnectionSecretYaml(
      replaced(kConnection, "stringData:\n  username: api-user",
               "data:\n  username: b3RoZXI=\n  url: "
               "aHR0cHM6Ly9vbGQuZXhhbXBsZS5jb20K\nstringData:\n  username: api-user"));
  ASSERT_TRUE(connection) << connection.error().message();
  EXPECT_EQ(connection->username, "api-user");
  EXPECT_EQ(connection->url, "https://harbor.example.com");
  auto fromData = parseConnectionSecretYaml(
      replaced(kConnection,
               "stringData:\n  username: api-user\n  password: api-password\n  url: "
               "https://harbor.example.com\n",
               "data:\n  username: YXBpLXVzZXI=\n  password: YXBpLXBhc3N3b3Jk\n  url: "
               "aHR0cHM6Ly9oYXJib3IuZXhhbXBsZS5jb20K\n"));
  ASSERT_TRUE(fromData) << fromData.error().message();
  EXPECT_EQ(fromData->url, "https://harbor.example.com")
      << "a trailing newline from `base64` is trimmed";
  EXPECT_EQ(fromData->password.reveal(), "api-password");
}

} // namespace
} // namespace harborrobot

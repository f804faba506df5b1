// Kubeconfig loading as kubectl does it: file merging, context selection, TLS and
// every credential kind, including a real exec credential helper (a script).
#include "harborrobot/kube/kubeconfig.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harborrobot/kube/exec_credential.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::kube {
namespace {

namespace fs = std::filesystem;

class KubeconfigTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("harborrobot-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text, bool executable = false) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    if (executable) {
      ::chmod(path.c_str(), 0755);
    }
    return path;
  }

  // A kubeconfig with one cluster, one user (given as YAML lines) and one context.
  std::string config(const std::string& user, const std::string& cluster = "server: https://a:6443",
                     const std::string& current = "ctx") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
           "\nclusters:\n- name: c\n  cluster:\n    " + cluster + "\nusers:\n- name: u\n  user:\n" +
           user + "\ncontexts:\n- name: ctx\n  context: {cluster: c, user: u, namespace: team}\n";
  }

  Result<LoadedKubeconfig> loadFile(const fs::path& file, const std::string& context = {},
                                    const std::string& ns = {}) {
    KubeconfigRequest request;
    request.explicitFile = file.string();
    request.context = context;
    request.ns = ns;
    return loadKubeconfig(request);
  }

  fs::path dir_;
};

TEST_F(KubeconfigTest, StaticTokenAndNamespacePrecedence) {
  const auto file = write("config", config("    token: abc"));
  auto loaded = loadFile(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->rest.server, "https://a:6443");
  EXPECT_EQ(loaded->rest.ns, "team");
  EXPECT_EQ(loaded->selection.userName, "u");
  auto token = loaded->rest.tokens->token(false);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->reveal(), "abc");
  auto overridden = loadFile(file, "", "other");
  ASSERT_TRUE(overridden);
  EXPECT_EQ(overridden->rest.ns, "other");
}

TEST_F(KubeconfigTest, KubeconfigListFirstDefinitionWins) {
  const auto first = write("one", "current-context: ctx\nclusters:\n- name: c\n  cluster: "
                                  "{server: 'https://first:1'}\n");
  const auto second =
      write("two", config("    token: t2", "server: https://second:2", "other-context"));
  KubeconfigRequest request;
  request.kubeconfigEnv =
      first.string() + ":" + (dir_ / "missing").string() + ":" + second.string();
  auto loaded = loadKubeconfig(request);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->selection.files.size(), 2u); // the missing file is skipped
  EXPECT_EQ(loaded->selection.contextName, "ctx");
  EXPECT_EQ(loaded->rest.server, "https://first:1");
}

TEST_F(KubeconfigTest, UnknownContextIsNamed) {
  const auto file = write("config", config("    token: abc"));
  auto loaded = loadFile(file, "nope");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message(), "context \"nope\" does not exist");
}

TEST_F(KubeconfigTest, MissingExplicitFileNamesTheFlag) {
  auto loaded = loadFile(dir_ / "absent");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("--kubeconfig"), std::string::npos);
  EXPECT_NE(loaded.error().message().find("does not exist"), std::string::npos);
}

TEST_F(KubeconfigTest, RelativePathsResolveAgainstTheFile) {
  write("sub/ca.crt", "PEM");
  write("sub/token", "from-file\n");
  const auto file =
      write("sub/config",
            config("    tokenFile: token", "server: https://a\n    certificate-authority: ca.crt"));
  auto loaded = loadFile(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->rest.tls.caFile, (dir_ / "sub" / "ca.crt").string());
  auto token = loaded->rest.tokens->token(false);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->reveal(), "from-file");
}

TEST_F(KubeconfigTest, InsecureWithCaIsRefusedAsKubectlDoes) {
  const auto file = write(
      "config", config("    token: t", "server: https://a\n    insecure-skip-tls-verify: true\n"
                                       "    certificate-authority-data: " +
                                           base64Encode("PEM")));
  auto loaded = loadFile(file);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find(
                "specifying a root certificates file with the insecure flag is not allowed"),
            std::string::npos);
}

TEST_F(KubeconfigTest, ClientCertificateDataAndNoToken) {
  const auto file = write("config", config("    client-certificate-data: " + base64Encode("CERT") +
                                           "\n    client-key-data: " + base64Encode("KEY")));
  auto loaded = loadFile(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->rest.tls.clientCertPem, "CERT");
  EXPECT_EQ(loaded->rest.tls.clientKeyPem.reveal(), "KEY");
  EXPECT_EQ(loaded->rest.tokens, nullptr);
}

TEST_F(KubeconfigTest, BasicAuthIsRefusedClearly) {
  const auto file = write("config", config("    username: a\n    password: pw-Secret-9"));
  auto loaded = loadFile(file);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("basic authentication"), std::string::npos);
  EXPECT_EQ(loaded.error().message().find("pw-Secret-9"), std::string::npos); // not echoed
}

TEST_F(KubeconfigTest, ExecPluginGetsArgsEnvAndClusterInfo) {
  const auto seen = dir_ / "seen";
  write("helper",
        "#!/bin/sh\nprintf '%s|%s|%s' \"$1\" \"$GREETING\" \"$KUBERNETES_EXEC_INFO\" > " +
            seen.string() +
            "\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
            "\"ExecCredential\",\"status\":{\"token\":\"exec-token\",\"expirationTimestamp\":"
            "\"2099-01-01T00:00:00Z\"}}'\n",
        true);
  const auto file =
      write("config", config("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                             "      command: ./helper\n      args: [first]\n"
                             "      env: [{name: GREETING, value: hello}]\n"
                             "      interactiveMode: Never\n      provideClusterInfo: true"));
  auto loaded = loadFile(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  auto token = loaded->rest.tokens->token(false);
  ASSERT_TRUE(token) << token.error().message();
  EXPECT_EQ(token->reveal(), "exec-token");
  std::ifstream in(seen);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.substr(0, 12), "first|hello|");
  EXPECT_NE(text.find("\"kind\":\"ExecCredential\""), std::string::npos);
  EXPECT_NE(text.find("\"server\":\"https://a:6443\""), std::string::npos);
}

TEST_F(KubeconfigTest, ExecV1WithoutInteractiveModeFailsAsKubectlDoes) {
  write("helper", "#!/bin/sh\nexit 0\n", true);
  const auto file =
      write("config", config("    exec:\n      apiVersion: "
                             "client.authentication.k8s.io/v1\n      command: ./helper"));
  auto loaded = loadFile(file);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message(),
            "interactiveMode must be specified for u to use exec authentication plugin");
}

TEST_F(KubeconfigTest, ExecFailureCarriesTheHelpersStderr) {
  write("helper", "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n", true);
  const auto file =
      write("config", config("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                             "      command: ./helper"));
  auto loaded = loadFile(file);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("exited with code 3: token expired, run login"),
            std::string::npos)
      << loaded.error().message();
}

TEST(ExecCredentialTest, RejectsAMismatchedApiVersionAndMissingCredential) {
  auto wrong = parseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("apiVersion"), std::string::npos);
  auto empty = parseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
      "client.authentication.k8s.io/v1");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("has no credential"), std::string::npos);
  auto good = parseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->token.reveal(), "t");
  EXPECT_TRUE(good->expiresAt.has_value());
}

} // namespace
} // namespace harborrobot::kube

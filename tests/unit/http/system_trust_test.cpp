// The system CA bundle, trusted on demand: a client without a CA of its own
// verifies a server whose CA is somewhere in the bundle ($SSL_CERT_FILE), and
// refuses one whose CA is not, against a real HTTPS server on loopback.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <Poco/Net/HTTPServerResponse.h>
#include <gtest/gtest.h>

#include "harborrobot/http/https_client.h"
#include "mocks/https_test_server.h"

namespace harborrobot::http {
namespace {

void hello(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response,
           const std::string&) {
  response.send() << "hello";
}

// Points OpenSSL's defaults at a bundle and an empty directory for one test.
class SystemBundle {
public:
  explicit SystemBundle(const std::string& pem)
      : directory_(std::filesystem::temp_directory_path() /
                   ("harborrobot-trust-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(directory_ / "certs");
    std::ofstream(directory_ / "bundle.pem") << pem;
    ::setenv("SSL_CERT_FILE", (directory_ / "bundle.pem").c_str(), 1);
    ::setenv("SSL_CERT_DIR", (directory_ / "certs").c_str(), 1);
  }
  ~SystemBundle() {
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
    std::filesystem::remove_all(directory_);
  }
  SystemBundle(const SystemBundle&) = delete;
  SystemBundle& operator=(const SystemBundle&) = delete;

private:
  std::filesystem::path directory_;
};

std::string caOf(const testing::HttpsTestServer& server) {
  return server.authority().ca().certificatePem;
}

TEST(SystemTrust, FindsTheServersCaAmongOthersInTheBundle) {
  testing::HttpsTestServer server(hello);
  testing::HttpsTestServer other(hello);
  testing::HttpsTestServer third(hello);
  // The server's CA in the middle, with text between certificates as in
  // Debian's bundle comments.
  const SystemBundle bundle("# other\n" + caOf(other) + "\n# ours\n" + caOf(server) + caOf(third));
  HttpsClient client(ClientOptions{});
  auto response = client.send({.url = server.url() + "/"});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  // A second server of another CA in the bundle, through the same client.
  auto again = client.send({.url = third.url() + "/"});
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->body, "hello");
}

TEST(SystemTrust, RefusesAServerWhoseCaIsNotInTheBundle) {
  testing::HttpsTestServer server(hello);
  testing::HttpsTestServer other(hello);
  const SystemBundle bundle(caOf(other));
  HttpsClient client(ClientOptions{});
  auto response = client.send({.url = server.url() + "/"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(response.error().message().find("certificate did not verify"), std::string::npos)
      << response.error().message();
}

TEST(SystemTrust, AnEmptyOrMissingBundleTrustsNothing) {
  testing::HttpsTestServer server(hello);
  const SystemBundle bundle("not a certificate\n");
  HttpsClient client(ClientOptions{});
  auto response = client.send({.url = server.url() + "/"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kFailedPrecondition);
}

} // namespace
} // namespace harborrobot::http

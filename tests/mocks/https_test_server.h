// An HTTPS server on 127.0.0.1:<free port> for client tests: a handler function
// per test, TLS material from the core's CA, optional client-certificate checks.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "harborrobot/tls/certificate_authority.h"

namespace harborrobot::testing {

// Called for every request; `clientCommonName` is empty without a client cert.
using TestHandler = std::function<void(Poco::Net::HTTPServerRequest& request,
                                       Poco::Net::HTTPServerResponse& response,
                                       const std::string& clientCommonName)>;

class HttpsTestServer {
public:
  explicit HttpsTestServer(TestHandler handler);
  ~HttpsTestServer();
  HttpsTestServer(const HttpsTestServer&) = delete;
  HttpsTestServer& operator=(const HttpsTestServer&) = delete;

  std::string url() const; // https://127.0.0.1:<port>
  const tls::CertificateAuthority& authority() const { return *authority_; }

private:
  struct Impl;
  std::unique_ptr<tls::CertificateAuthority> authority_;
  std::filesystem::path directory_;
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot::testing

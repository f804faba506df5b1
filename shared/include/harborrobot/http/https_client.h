// The real HTTP client: Poco::Net's HTTP sessions, with TLS from OpenSSL
// directly (tls_socket.h), the one TLS library every binary loads anyway
// (libcurl would add some 25 libraries: LDAP, Kerberos, RTMP, SSH, GnuTLS, to
// every agent of the fleet). TLS with an explicit CA or the system's (read on
// demand), client certificates, the peer's name checked during the handshake,
// connection reuse, and streaming for watches. One instance per peer
// is the norm (a Kubernetes API server, a Harbor); it is safe to use from
// several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "harborrobot/http/client.h"
#include "harborrobot/http/tls_context.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::http {

struct ClientOptions {
  TlsOptions tls;
  std::chrono::milliseconds connectTimeout{10000};
  std::string userAgent = "harborrobot/" HARBORROBOT_VERSION;
};

// Receives body bytes as they arrive; return false to stop the stream.
using ChunkHandler = std::function<bool(std::string_view chunk)>;

class HttpsClient final : public Client {
public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient() override;
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  [[nodiscard]] Result<Response> send(const Request& request) override;

  // Like send(), but the body goes to `onChunk` instead of Response::body. The
  // request's timeout bounds the whole stream (0 = no limit, for watches). Stopping
  // from the handler is not an error; nor is `cancel` becoming true, which is
  // checked about once a second even while no data arrives.
  [[nodiscard]] Result<Response> stream(const Request& request, const ChunkHandler& onChunk,
                                        const std::atomic<bool>* cancel = nullptr);

  // Ends every pooled connection. For a client that talks in bursts minutes
  // apart: an idle kept-alive connection would hold one of the server's
  // threads until its keep-alive timeout, for nothing.
  void closeIdle();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot::http

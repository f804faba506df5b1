// Poco::Net's HTTP over TLS from OpenSSL directly: a client session and a
// listening socket. Poco parses HTTP and owns the descriptors; OpenSSL moves the
// bytes. A read or write that waits longer than the socket's timeout throws
// Poco::TimeoutException, as a plain socket does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/ServerSocket.h>

#include "harborrobot/http/tls_context.h"

namespace harborrobot::http {

// A TLS failure. `certificate` when the peer's certificate did not verify or
// does not name the peer: a setting to fix, not an outage to retry.
class TlsError final : public Poco::IOException {
public:
  TlsError(const std::string& message, bool certificate)
      : Poco::IOException(message), certificate_(certificate) {}
  bool certificate() const { return certificate_; }
  const char* name() const noexcept override { return "TLS error"; }

private:
  bool certificate_;
};

// An HTTP session to host:port over TLS. Every (re)connection handshakes anew,
// sends the host as SNI (for a DNS name) and checks that the certificate names
// it (DNS name or IP address) during the handshake, before any byte of HTTP.
class TlsClientSession : public Poco::Net::HTTPClientSession {
public:
  TlsClientSession(const std::string& host, std::uint16_t port,
                   std::shared_ptr<const TlsContext> context);
  bool secure() const override { return true; }

protected:
  void connect(const Poco::Net::SocketAddress& address) override;

private:
  std::shared_ptr<const TlsContext> context_;
};

// A listening socket whose accepted connections speak TLS. The handshake runs
// on a connection's first read or write, in the thread that serves it, so a
// slow client never holds the accepting thread.
class TlsServerSocket : public Poco::Net::ServerSocket {
public:
  TlsServerSocket(const Poco::Net::SocketAddress& address, int backlog,
                  std::shared_ptr<const TlsContext> context);
};

} // namespace harborrobot::http

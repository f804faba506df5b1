#include "harborrobot/http/tls_socket.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <fmt/format.h>

namespace harborrobot::http {

namespace {

// OpenSSL writes with write(2), which raises SIGPIPE on a connection the peer
// closed, and SIGPIPE ends a process by default. This blocks it in the calling
// thread for one OpenSSL call and takes back a SIGPIPE the call raised, so the
// write fails with EPIPE instead. (Reads may write too: alerts, key updates.)
class SigpipeBlocked {
public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    wasPending_ = pending();
  }
  ~SigpipeBlocked() {
    if (!wasPending_ && pending()) {
      const timespec now{0, 0};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

private:
  bool pending() const {
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, SIGPIPE) == 1;
  }

  sigset_t pipe_{};
  sigset_t previous_{};
  bool wasPending_ = false;
};

std::string openSslReason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : "the connection broke";
}

// A stream socket whose bytes pass through an OpenSSL connection on the same
// descriptor. Client side: connect() handshakes. Server side: the first read or
// write does.
class TlsSocketImpl final : public Poco::Net::StreamSocketImpl {
public:
  // A client socket, not yet connected; `host` is sent as SNI and checked.
  TlsSocketImpl(std::shared_ptr<const TlsContext> context, std::string host)
      : context_(std::move(context)), host_(std::move(host)) {}
  // An accepted server socket.
  TlsSocketImpl(poco_socket_t accepted, std::shared_ptr<const TlsContext> context)
      : Poco::Net::StreamSocketImpl(accepted), context_(std::move(context)), server_(true) {}

  ~TlsSocketImpl() override { endTls(); }

  void connect(const Poco::Net::SocketAddress& address) override {
    endTls();
    Poco::Net::StreamSocketImpl::connect(address);
    handshake();
  }

  void connect(const Poco::Net::SocketAddress& address, const Poco::Timespan& timeout) override {
    endTls();
    Poco::Net::StreamSocketImpl::connect(address, timeout);
    // The handshake is part of connecting: bounded by the same timeout.
    const auto receiveTimeout = getReceiveTimeout();
    const auto sendTimeout = getSendTimeout();
    setReceiveTimeout(timeout);
    setSendTimeout(timeout);
    handshake();
    setReceiveTimeout(receiveTimeout);
    setSendTimeout(sendTimeout);
  }

  void connectNB(const Poco::Net::SocketAddress&) override {
    throw Poco::NotImplementedException("a non-blocking TLS connect");
  }

  int sendBytes(const void* buffer, int length, int /*flags*/) override {
    ensureHandshake();
    const SigpipeBlocked blocked;
    ERR_clear_error();
    const int sent = SSL_write(ssl_.get(), buffer, length);
    if (sent > 0) {
      return sent;
    }
    failed(sent, "TLS write");
    return 0;
  }

  int receiveBytes(void* buffer, int length, int /*flags*/) override {
    ensureHandshake();
    while (true) {
      const SigpipeBlocked blocked;
      ERR_clear_error();
      const int got = SSL_read(ssl_.get(), buffer, length);
      if (got > 0) {
        return got;
      }
      const int error = SSL_get_error(ssl_.get(), got);
      if (error == SSL_ERROR_ZERO_RETURN) {
        return 0; // the peer's close_notify: the end of the stream
      }
      if (error == SSL_ERROR_SYSCALL && errno == EINTR) {
        continue;
      }
      if (error == SSL_ERROR_SYSCALL && got == 0 && ERR_peek_error() == 0) {
        // OpenSSL 3 reports an end without close_notify as SSL_ERROR_SSL; older
        // code paths as this. Either way the peer went away mid-stream.
        throw TlsError("the peer closed the connection without TLS close_notify", false);
      }
      failed(got, "TLS read");
    }
  }

  int available() override {
    if (ssl_ != nullptr) {
      return SSL_pending(ssl_.get());
    }
    return Poco::Net::StreamSocketImpl::available();
  }

  void shutdown() override {
    endTls();
    Poco::Net::StreamSocketImpl::shutdown();
  }

  void close() override {
    endTls();
    Poco::Net::StreamSocketImpl::close();
  }

  bool secure() const override { return true; }

private:
  void ensureHandshake() {
    if (ssl_ == nullptr) {
      if (!server_) {
        throw Poco::Net::NetException("TLS socket used before it connected");
      }
      handshake();
    }
  }

  void handshake() {
    Ssl ssl(SSL_new(context_->native()), &SSL_free);
    if (ssl == nullptr || SSL_set_fd(ssl.get(), static_cast<int>(sockfd())) != 1) {
      throw TlsError("cannot start TLS: " + openSslReason(), false);
    }
    if (!server_) {
      Poco::Net::IPAddress address;
      const bool isAddress = Poco::Net::IPAddress::tryParse(host_, address);
      if (!isAddress) {
        SSL_set_tlsext_host_name(ssl.get(), host_.c_str());
      }
      if (context_->verifiesPeer()) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (isAddress) {
          X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
        } else {
          X509_VERIFY_PARAM_set1_host(param, host_.c_str(), host_.size());
        }
      }
    }
    ssl_ = std::move(ssl);
    const SigpipeBlocked blocked;
    ERR_clear_error();
    const int done = server_ ? SSL_accept(ssl_.get()) : SSL_connect(ssl_.get());
    if (done == 1) {
      return;
    }
    const long verified = SSL_get_verify_result(ssl_.get());
    if (!server_ && verified != X509_V_OK) {
      const std::string reason = X509_verify_cert_error_string(verified);
      ssl_.reset();
      ERR_clear_error();
      throw TlsError(fmt::format("the server's certificate did not verify: {}", reason), true);
    }
    failed(done, "TLS handshake");
  }

  // Throws what a failed OpenSSL call means; a wait past the socket's timeout
  // shows as "want read/write" on a blocking socket.
  [[noreturn]] void failed(int result, std::string_view during) {
    const int error = SSL_get_error(ssl_.get(), result);
    const int savedErrno = errno;
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
        (error == SSL_ERROR_SYSCALL && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK))) {
      ERR_clear_error();
      throw Poco::TimeoutException(fmt::format("{} timed out", during));
    }
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      ssl_.reset(); // no close_notify on a broken connection
      throw TlsError(fmt::format("{}: {}", during,
                                 savedErrno != 0 ? std::strerror(savedErrno)
                                                 : "the peer closed the connection"),
                     false);
    }
    const std::string reason = openSslReason();
    ssl_.reset();
    throw TlsError(fmt::format("{}: {}", during, reason), false);
  }

  // Sends close_notify (without waiting for the peer's) and forgets the TLS state.
  void endTls() {
    if (ssl_ != nullptr && SSL_is_init_finished(ssl_.get()) == 1 &&
        sockfd() != POCO_INVALID_SOCKET) {
      const SigpipeBlocked blocked;
      SSL_shutdown(ssl_.get());
    }
    ssl_.reset();
    ERR_clear_error();
  }

  using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;
  std::shared_ptr<const TlsContext> context_;
  std::string host_;
  bool server_ = false;
  Ssl ssl_{nullptr, &SSL_free};
};

class TlsServerSocketImpl final : public Poco::Net::ServerSocketImpl {
public:
  explicit TlsServerSocketImpl(std::shared_ptr<const TlsContext> context)
      : context_(std::move(context)) {}

  Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override {
    if (sockfd() == POCO_INVALID_SOCKET) {
      throw Poco::Net::InvalidSocketException();
    }
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    int accepted = -1;
    do {
      accepted = ::accept4(sockfd(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    } while (accepted < 0 && errno == EINTR);
    if (accepted < 0) {
      error(); // throws the exception for errno
    }
    client = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&peer), length);
    // Poco's sockets are reference counted: the StreamSocket made from this
    // pointer by ServerSocket owns it.
    return new TlsSocketImpl(accepted, context_);
  }

private:
  std::shared_ptr<const TlsContext> context_;
};

} // namespace

TlsClientSession::TlsClientSession(const std::string& host, std::uint16_t port,
                                   std::shared_ptr<const TlsContext> context)
    : Poco::Net::HTTPClientSession(
          Poco::Net::StreamSocket(new TlsSocketImpl(context, host))), // owned by the socket
      context_(std::move(context)) {
  setHost(host);
  setPort(port);
}

void TlsClientSession::connect(const Poco::Net::SocketAddress& address) {
  // A fresh TLS socket for every connection: the old one may have been reset.
  attachSocket(Poco::Net::StreamSocket(new TlsSocketImpl(context_, getHost())));
  Poco::Net::HTTPClientSession::connect(address);
}

TlsServerSocket::TlsServerSocket(const Poco::Net::SocketAddress& address, int backlog,
                                 std::shared_ptr<const TlsContext> context)
    : Poco::Net::ServerSocket(new TlsServerSocketImpl(std::move(context)), true) {
  bind(address, true);
  listen(backlog);
}

} // namespace harborrobot::http

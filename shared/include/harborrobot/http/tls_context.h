// OpenSSL contexts for the core's TLS, made with OpenSSL directly (Poco's NetSSL
// would load PocoUtil, PocoXML, PocoJSON, PocoCrypto and expat into every agent
// for its configuration machinery). TLS 1.2 at least, OpenSSL's default ciphers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/observability/secret.h"

struct ssl_ctx_st;

namespace harborrobot::http {

struct TlsOptions {
  std::string caPem;         // trusted CAs (PEM); empty = the system store
  std::string caFile;        // or a file of them
  std::string clientCertPem; // client certificate for mutual TLS
  SecretString clientKeyPem;
  bool insecureSkipVerify = false; // only when a user asked for it explicitly
};

class TlsContext {
public:
  // A client context: trusts `options.caPem`, else `options.caFile`, else the
  // system's CA store; presents the client certificate when one is given. The
  // peer's name is checked per connection (TlsClientSession).
  [[nodiscard]] static Result<std::shared_ptr<const TlsContext>>
  forClient(const TlsOptions& options);

  // A server context presenting one certificate (PEM, leaf first) and its key;
  // clients are not asked for a certificate.
  [[nodiscard]] static Result<std::shared_ptr<const TlsContext>>
  forServer(std::string_view certificatePem, const SecretString& privateKeyPem);

  ssl_ctx_st* native() const { return context_.get(); }
  bool verifiesPeer() const { return verifiesPeer_; }

private:
  using Owned = std::unique_ptr<ssl_ctx_st, void (*)(ssl_ctx_st*)>;
  TlsContext(Owned context, bool verifiesPeer, std::shared_ptr<const void> trust)
      : trust_(std::move(trust)), context_(std::move(context)), verifiesPeer_(verifiesPeer) {}

  // What the context's store calls back into (the system trust, on demand):
  // declared first so it is destroyed after the context.
  std::shared_ptr<const void> trust_;
  Owned context_;
  bool verifiesPeer_;
};

} // namespace harborrobot::http

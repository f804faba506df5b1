#include "harborrobot/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include "system_trust.h"

namespace harborrobot::http {

namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Bio memoryBio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

// The reason of OpenSSL's most recent error, with the queue emptied.
std::string lastOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) {
    return "no detail from OpenSSL";
  }
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", code);
}

// Every certificate in `pem`; none is an error (a CA bundle of nothing trusts nothing).
Status trustPem(SSL_CTX* context, std::string_view pem) {
  auto bio = memoryBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int added = 0;
  while (Certificate certificate{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                 &X509_free}) {
    X509_STORE_add_cert(store, certificate.get());
    ++added;
  }
  ERR_clear_error(); // the end of the PEM text reads as an error
  if (added == 0) {
    return makeError(ErrorCode::kFailedPrecondition,
                     "TLS settings: the CA text holds no PEM certificate");
  }
  return ok();
}

Status useCertificate(SSL_CTX* context, std::string_view certificatePem, std::string_view keyPem,
                      std::string_view what) {
  auto certificateBio = memoryBio(certificatePem);
  Certificate certificate{PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr),
                          &X509_free};
  auto keyBio = memoryBio(keyPem);
  Key key{PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
  bool used = certificate && key && SSL_CTX_use_certificate(context, certificate.get()) == 1 &&
              SSL_CTX_use_PrivateKey(context, key.get()) == 1 &&
              SSL_CTX_check_private_key(context) == 1;
  // The rest of a chain (intermediates) follows the leaf in the same text.
  while (used) {
    X509* intermediate = PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr);
    if (intermediate == nullptr) {
      break;
    }
    if (SSL_CTX_add0_chain_cert(context, intermediate) != 1) { // takes it on success only
      X509_free(intermediate);
      used = false;
    }
  }
  ERR_clear_error();
  if (!used) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("TLS settings: the {} certificate or its key is not valid PEM "
                                 "(or they do not match)",
                                 what));
  }
  return ok();
}

} // namespace

Result<std::shared_ptr<const TlsContext>> TlsContext::forClient(const TlsOptions& options) {
  Owned context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!context) {
    return makeError(ErrorCode::kInternal, "TLS settings: " + lastOpenSslError());
  }
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  const bool verify = !options.insecureSkipVerify;
  std::shared_ptr<const void> trust;
  SSL_CTX_set_verify(context.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (verify) {
    if (!options.caPem.empty()) {
      if (auto trusted = trustPem(context.get(), options.caPem); !trusted) {
        return makeError(trusted.error());
      }
    } else if (!options.caFile.empty()) {
      if (SSL_CTX_load_verify_locations(context.get(), options.caFile.c_str(), nullptr) != 1) {
        return makeError(
            ErrorCode::kFailedPrecondition,
            fmt::format("TLS settings: CA file {}: {}", options.caFile, lastOpenSslError()));
      }
    } else {
      auto system = internal::trustSystemStore(context.get());
      if (!system) {
        return makeError(system.error());
      }
      trust = std::move(*system);
    }
  }
  if (!options.clientCertPem.empty()) {
    if (auto used = useCertificate(context.get(), options.clientCertPem,
                                   options.clientKeyPem.reveal(), "client");
        !used) {
      return makeError(used.error());
    }
  }
  // Idle connections hold no 16 KiB read and write buffers each.
  SSL_CTX_set_mode(context.get(), SSL_MODE_RELEASE_BUFFERS);
  return std::shared_ptr<const TlsContext>(
      new TlsContext(std::move(context), verify, std::move(trust)));
}

Result<std::shared_ptr<const TlsContext>> TlsContext::forServer(std::string_view certificatePem,
                                                                const SecretString& privateKeyPem) {
  Owned context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!context) {
    return makeError(ErrorCode::kInternal, "TLS settings: " + lastOpenSslError());
  }
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  if (auto used = useCertificate(context.get(), certificatePem, privateKeyPem.reveal(), "server");
      !used) {
    return makeError(used.error());
  }
  SSL_CTX_set_mode(context.get(), SSL_MODE_RELEASE_BUFFERS);
  return std::shared_ptr<const TlsContext>(new TlsContext(std::move(context), false, nullptr));
}

} // namespace harborrobot::http

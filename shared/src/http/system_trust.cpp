#include "system_trust.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace harborrobot::http::internal {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

Certificate parsePem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  ERR_clear_error();
  return certificate;
}

std::string bundlePath() {
  const char* fromEnvironment = std::getenv(X509_get_default_cert_file_env());
  return fromEnvironment != nullptr && *fromEnvironment != '\0' ? fromEnvironment
                                                                : X509_get_default_cert_file();
}

std::string directoryPath() {
  const char* fromEnvironment = std::getenv(X509_get_default_cert_dir_env());
  return fromEnvironment != nullptr && *fromEnvironment != '\0' ? fromEnvironment
                                                                : X509_get_default_cert_dir();
}

class SystemTrust {
public:
  // Where each certificate of the bundle is, by the hash of its subject.
  struct Entry {
    std::streamoff offset = 0;
    std::size_t length = 0;
  };

  static Result<std::unique_ptr<SystemTrust>> index(std::string path) {
    std::ifstream file(path, std::ios::binary);
    auto trust = std::unique_ptr<SystemTrust>(new SystemTrust(std::move(path)));
    if (!file) {
      return trust; // no bundle: the hashed directory alone, as OpenSSL does
    }
    std::stringstream whole;
    whole << file.rdbuf();
    const std::string text = whole.str();
    std::size_t at = 0;
    while ((at = text.find(kBegin, at)) != std::string::npos) {
      const std::size_t end = text.find(kEnd, at);
      if (end == std::string::npos) {
        break;
      }
      const std::size_t length = end + kEnd.size() - at;
      // One certificate parsed at a time and freed at once: the heap never
      // holds more than one.
      if (auto certificate = parsePem(std::string_view(text).substr(at, length))) {
        trust->entries_.emplace(
            X509_NAME_hash_ex(X509_get_subject_name(certificate.get()), nullptr, nullptr, nullptr),
            Entry{static_cast<std::streamoff>(at), length});
      }
      at += length;
    }
    return trust;
  }

  // Adds to `store` every bundle certificate whose subject is `name`.
  void load(X509_STORE* store, const X509_NAME* name) const {
    const auto hash = X509_NAME_hash_ex(name, nullptr, nullptr, nullptr);
    auto [first, last] = entries_.equal_range(hash);
    if (first == last) {
      return;
    }
    std::ifstream file(path_, std::ios::binary);
    for (auto entry = first; entry != last && file; ++entry) {
      std::string pem(entry->second.length, '\0');
      file.seekg(entry->second.offset);
      file.read(pem.data(), static_cast<std::streamsize>(pem.size()));
      auto certificate = parsePem(pem);
      if (certificate && X509_NAME_cmp(X509_get_subject_name(certificate.get()), name) == 0) {
        X509_STORE_add_cert(store, certificate.get()); // the store takes its own reference
      }
    }
    ERR_clear_error(); // "already in the store" from a concurrent handshake
  }

private:
  explicit SystemTrust(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::multimap<unsigned long, Entry> entries_;
};

const SystemTrust* trustOf(X509_STORE_CTX* context) {
  return static_cast<const SystemTrust*>(
      X509_STORE_get_ex_data(X509_STORE_CTX_get0_store(context), 0));
}

// OpenSSL's own issuer search, after the bundle's certificates named as the
// issuer joined the store.
int issuerOnDemand(X509** issuer, X509_STORE_CTX* context, X509* certificate) {
  if (const auto* trust = trustOf(context)) {
    trust->load(X509_STORE_CTX_get0_store(context), X509_get_issuer_name(certificate));
  }
  return X509_STORE_CTX_get1_issuer(issuer, context, certificate);
}

STACK_OF(X509) * certificatesOnDemand(X509_STORE_CTX* context, const X509_NAME* name) {
  if (const auto* trust = trustOf(context)) {
    trust->load(X509_STORE_CTX_get0_store(context), name);
  }
  return X509_STORE_CTX_get1_certs(context, name);
}

} // namespace

Result<std::shared_ptr<const void>> trustSystemStore(SSL_CTX* context) {
  auto trust = SystemTrust::index(bundlePath());
  if (!trust) {
    return makeError(trust.error());
  }
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  // Index 0 of every OpenSSL object's extra data is the application's own.
  X509_STORE_set_ex_data(store, 0, trust->get());
  X509_STORE_set_get_issuer(store, issuerOnDemand);
  X509_STORE_set_lookup_certs(store, certificatesOnDemand);
  // A missing directory is no error: OpenSSL's defaults do not need one either.
  X509_STORE_load_path(store, directoryPath().c_str());
  ERR_clear_error();
  return std::shared_ptr<const void>(std::move(*trust));
}

} // namespace harborrobot::http::internal

// Builds the simulators' throwaway CA and leaf certificates with OpenSSL 3, so
// tests need no openssl binary and no fixed key material in the repository.
#include "harborrobot/sim/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace harborrobot::sim {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct FileClose {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

constexpr long kValiditySeconds = 24L * 60 * 60;

tl::unexpected<Error> pkiError(std::string_view what) {
  return makeError(ErrorCode::kInternal, "test PKI: " + std::string(what) + " failed");
}

bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr)
    return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// Serial numbers only need to differ within one CA; the counter is per call.
Result<CertPtr> makeCertificate(EVP_PKEY* key, const std::string& commonName, long serial,
                                X509* issuer) {
  CertPtr cert(X509_new());
  if (!cert)
    return pkiError("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  return cert;
}

Result<KeyPtr> makeKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key)
    return pkiError("EVP_EC_gen");
  return key;
}

Status writeCert(const std::filesystem::path& path, X509* cert) {
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "w"));
  if (!file || PEM_write_X509(file.get(), cert) != 1)
    return pkiError("writing " + path.string());
  return {};
}

Status writeKey(const std::filesystem::path& path, EVP_PKEY* key) {
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "w"));
  if (!file || PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return pkiError("writing " + path.string());
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  return {};
}

// Signs a leaf for `name` with the CA and writes it plus its key.
Status writeLeaf(X509* ca, EVP_PKEY* caKey, const std::string& name, long serial,
                 const char* extendedUsage, const char* subjectAltNames,
                 const std::filesystem::path& certPath, const std::filesystem::path& keyPath) {
  auto key = makeKey();
  if (!key)
    return makeError(key.error());
  auto cert = makeCertificate(key->get(), name, serial, ca);
  if (!cert)
    return makeError(cert.error());
  X509* leaf = cert->get();
  if (!addExtension(leaf, ca, NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(leaf, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !addExtension(leaf, ca, NID_ext_key_usage, extendedUsage) ||
      (subjectAltNames != nullptr &&
       !addExtension(leaf, ca, NID_subject_alt_name, subjectAltNames))) {
    return pkiError("adding leaf extensions");
  }
  if (X509_sign(leaf, caKey, EVP_sha256()) == 0)
    return pkiError("signing " + name);
  if (auto written = writeCert(certPath, leaf); !written)
    return written;
  return writeKey(keyPath, key->get());
}

} // namespace

Result<PkiFiles> writeTestPki(const std::filesystem::path& directory,
                              const std::string& clientName) {
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  PkiFiles files{directory / "ca.crt", directory / "server.crt", directory / "server.key",
                 directory / "client.crt", directory / "client.key"};

  auto caKey = makeKey();
  if (!caKey)
    return makeError(caKey.error());
  auto ca = makeCertificate(caKey->get(), "harborrobot-sim-ca", 1, nullptr);
  if (!ca)
    return makeError(ca.error());
  if (!addExtension(ca->get(), ca->get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !addExtension(ca->get(), ca->get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !addExtension(ca->get(), ca->get(), NID_subject_key_identifier, "hash")) {
    return pkiError("adding CA extensions");
  }
  if (X509_sign(ca->get(), caKey->get(), EVP_sha256()) == 0)
    return pkiError("signing the CA");
  if (auto written = writeCert(files.caCert, ca->get()); !written)
    return makeError(written.error());

  if (auto server = writeLeaf(ca->get(), caKey->get(), "127.0.0.1", 2, "serverAuth",
                              "IP:127.0.0.1,DNS:localhost", files.serverCert, files.serverKey);
      !server) {
    return makeError(server.error());
  }
  if (auto client = writeLeaf(ca->get(), caKey->get(), clientName, 3, "clientAuth", nullptr,
                              files.clientCert, files.clientKey);
      !client) {
    return makeError(client.error());
  }
  return files;
}

} // namespace harborrobot::sim

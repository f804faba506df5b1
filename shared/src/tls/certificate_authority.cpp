// Certificate issuing with OpenSSL 3. Every OpenSSL object is owned by a
// unique_ptr with its free function, so each early return cleans up.
#include "harborrobot/tls/certificate_authority.h"

#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace harborrobot::tls {

namespace {

template <auto Free> struct Deleter {
  template <class T> void operator()(T* object) const { Free(object); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Error opensslError(std::string_view what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) {
    ERR_error_string_n(code, text, sizeof text);
  }
  ERR_clear_error();
  return Error(ErrorCode::kInternal, fmt::format("{}: {}", what, text));
}

Result<KeyPtr> newKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return makeError(opensslError("generating an EC P-256 key"));
  }
  return key;
}

Result<std::string> toPem(int (*write)(BIO*, void*), void* object, std::string_view what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1) {
    return makeError(opensslError(what));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> certificatePem(X509* cert) {
  return toPem(
      [](BIO* bio, void* object) { return PEM_write_bio_X509(bio, static_cast<X509*>(object)); },
      cert, "writing a certificate");
}

Result<std::string> keyPem(EVP_PKEY* key) {
  return toPem(
      [](BIO* bio, void* object) {
        return PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(object), nullptr, nullptr, 0,
                                        nullptr, nullptr);
      },
      key, "writing a private key");
}

Status addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return makeError(opensslError(fmt::format("adding extension {}={}", OBJ_nid2sn(nid), value)));
  }
  return ok();
}

Result<CertPtr> newCertificate(EVP_PKEY* subjectKey, const std::string& commonName,
                               const std::vector<std::string>& organizations,
                               std::chrono::hours validity) {
  CertPtr cert(X509_new());
  if (!cert) {
    return makeError(opensslError("allocating a certificate"));
  }
  X509_set_version(cert.get(), 2);
  // Random 64-bit serials: two CAs made in one test never collide.
  unsigned char serial[8];
  if (RAND_bytes(serial, sizeof serial) != 1) {
    return makeError(opensslError("generating a serial number"));
  }
  serial[0] &= 0x7f;
  BIGNUM* serialNumber = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(cert.get()));
  BN_free(serialNumber);
  // Back-dated a little so a peer with a slightly slow clock accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(
      X509_getm_notAfter(cert.get()),
      static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(validity).count()));
  X509_set_pubkey(cert.get(), subjectKey);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& organization : organizations) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1,
                               0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  return cert;
}

} // namespace

Result<CertificateAuthority> CertificateAuthority::create(const std::string& commonName,
                                                          std::chrono::hours validity) {
  auto key = newKey();
  if (!key) {
    return makeError(key.error());
  }
  auto cert = newCertificate(key->get(), commonName, {}, validity);
  if (!cert) {
    return makeError(cert.error());
  }
  X509_set_issuer_name(cert->get(), X509_get_subject_name(cert->get()));
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   std::pair{NID_subject_key_identifier, "hash"}}) {
    if (auto added = addExtension(cert->get(), cert->get(), nid, value); !added) {
      return makeError(added.error());
    }
  }
  if (X509_sign(cert->get(), key->get(), EVP_sha256()) == 0) {
    return makeError(opensslError("signing the CA certificate"));
  }
  auto certText = certificatePem(cert->get());
  auto keyText = keyPem(key->get());
  if (!certText || !keyText) {
    return makeError(certText ? keyText.error() : certText.error());
  }
  return CertificateAuthority(KeyPair{std::move(*certText), SecretString(std::move(*keyText))});
}

Result<CertificateAuthority> CertificateAuthority::fromPem(const KeyPair& ca) {
  BioPtr certBio(
      BIO_new_mem_buf(ca.certificatePem.data(), static_cast<int>(ca.certificatePem.size())));
  CertPtr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
  const std::string_view keyText = ca.privateKeyPem.reveal();
  BioPtr keyBio(BIO_new_mem_buf(keyText.data(), static_cast<int>(keyText.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return makeError(fieldErrorWithoutValue("ca.crt", "is not a PEM certificate",
                                            "-----BEGIN CERTIFICATE-----"));
  }
  if (!key || X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return makeError(fieldErrorWithoutValue("ca.key", "is not the private key of ca.crt",
                                            "the PEM key the CA certificate was made with"));
  }
  return CertificateAuthority(ca);
}

Result<KeyPair> CertificateAuthority::issue(const LeafRequest& request) const {
  auto self = fromPem(ca_);
  if (!self) {
    return makeError(self.error());
  }
  BioPtr certBio(
      BIO_new_mem_buf(ca_.certificatePem.data(), static_cast<int>(ca_.certificatePem.size())));
  CertPtr caCert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
  const std::string_view caKeyText = ca_.privateKeyPem.reveal();
  BioPtr keyBio(BIO_new_mem_buf(caKeyText.data(), static_cast<int>(caKeyText.size())));
  KeyPtr caKey(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));

  auto key = newKey();
  if (!key) {
    return makeError(key.error());
  }
  auto cert =
      newCertificate(key->get(), request.commonName, request.organizations, request.validity);
  if (!cert) {
    return makeError(cert.error());
  }
  X509_set_issuer_name(cert->get(), X509_get_subject_name(caCert.get()));

  std::vector<std::string> names;
  for (const auto& dns : request.dnsNames) {
    names.push_back("DNS:" + dns);
  }
  for (const auto& ip : request.ipAddresses) {
    names.push_back("IP:" + ip);
  }
  std::string usages;
  if (request.serverAuth) {
    usages = "serverAuth";
  }
  if (request.clientAuth) {
    usages += usages.empty() ? "clientAuth" : ",clientAuth";
  }
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!usages.empty()) {
    extensions.emplace_back(NID_ext_key_usage, usages);
  }
  if (!names.empty()) {
    extensions.emplace_back(NID_subject_alt_name, fmt::format("{}", fmt::join(names, ",")));
  }
  for (const auto& [nid, value] : extensions) {
    if (auto added = addExtension(cert->get(), caCert.get(), nid, value); !added) {
      return makeError(added.error());
    }
  }
  if (X509_sign(cert->get(), caKey.get(), EVP_sha256()) == 0) {
    return makeError(opensslError("signing a certificate"));
  }
  auto certText = certificatePem(cert->get());
  auto keyText = keyPem(key->get());
  if (!certText || !keyText) {
    return makeError(certText ? keyText.error() : certText.error());
  }
  return KeyPair{std::move(*certText), SecretString(std::move(*keyText))};
}

} // namespace harborrobot::tls

// The core's CA: issued certificates chain to it, carry the requested names and
// usages, and a CA read back from PEM issues certificates that still chain.
#include "harborrobot/tls/certificate_authority.h"

#include <memory>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace harborrobot::tls {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bool verifies(const std::string& caPem, const std::string& leafPem) {
  Cert ca = parse(caPem);
  Cert leaf = parse(leafPem);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                          X509_STORE_CTX_free);
  X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr);
  return X509_verify_cert(context.get()) == 1;
}

TEST(CertificateAuthority, IssuesServerCertificatesThatChainWithTheirNames) {
  auto ca = CertificateAuthority::create("harborrobot-test-ca", std::chrono::hours(24));
  ASSERT_TRUE(ca) << ca.error().message();
  auto leaf = ca->issue({.commonName = "harbor-1.example.com",
                         .dnsNames = {"harbor-1.example.com", "localhost"},
                         .ipAddresses = {"127.0.0.1", "::1"}});
  ASSERT_TRUE(leaf) << leaf.error().message();
  EXPECT_TRUE(verifies(ca->ca().certificatePem, leaf->certificatePem));
  Cert cert = parse(leaf->certificatePem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), "harbor-1.example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "harbor-2.example.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_NE(leaf->privateKeyPem.reveal().find("BEGIN PRIVATE KEY"), std::string_view::npos);
}

TEST(CertificateAuthority, ClientCertificatesCarryGroupsAsOrganizations) {
  auto ca = CertificateAuthority::create("ca", std::chrono::hours(1));
  ASSERT_TRUE(ca);
  auto leaf = ca->issue({.commonName = "admin",
                         .organizations = {"system:masters"},
                         .serverAuth = false,
                         .clientAuth = true});
  ASSERT_TRUE(leaf);
  Cert cert = parse(leaf->certificatePem);
  char organization[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_organizationName, organization,
                            sizeof organization);
  EXPECT_STREQ(organization, "system:masters");
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 0);
}

TEST(CertificateAuthority, ReloadedFromPemStillIssuesChainingCertificates) {
  auto original = CertificateAuthority::create("ca", std::chrono::hours(1));
  ASSERT_TRUE(original);
  auto reloaded = CertificateAuthority::fromPem(original->ca());
  ASSERT_TRUE(reloaded) << reloaded.error().message();
  auto leaf = reloaded->issue({.commonName = "hub", .dnsNames = {"hub.svc"}});
  ASSERT_TRUE(leaf);
  EXPECT_TRUE(verifies(original->ca().certificatePem, leaf->certificatePem));
  auto other = CertificateAuthority::create("other", std::chrono::hours(1));
  ASSERT_TRUE(other);
  EXPECT_FALSE(verifies(other->ca().certificatePem, leaf->certificatePem));
}

TEST(CertificateAuthority, RefusesMismatchedOrGarbagePem) {
  auto one = CertificateAuthority::create("one", std::chrono::hours(1));
  auto two = CertificateAuthority::create("two", std::chrono::hours(1));
  ASSERT_TRUE(one && two);
  auto mixed = CertificateAuthority::fromPem({one->ca().certificatePem, two->ca().privateKeyPem});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().message(), "ca.key: is not the private key of ca.crt (expected the PEM "
                                     "key the CA certificate was made with)");
  auto garbage = CertificateAuthority::fromPem({"not pem", SecretString("nor this")});
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message(),
            "ca.crt: is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
}

} // namespace
} // namespace harborrobot::tls

// The hub's CA and serving certificate: the names it is issued for, the CA
// Secret and ConfigMap, and loadServingCertificate against the in-process API
// server (created once, then reused by every replica and restart).
#include "harborrobot/hub/hub_certificates.h"

#include <gtest/gtest.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/base64.h"
#include "mocks/kube_api_server.h"

namespace harborrobot::hub {
namespace {

const std::string kNamespace = "harbor-robot-gen-system";

TEST(ServingLeafRequest, CoversTheServiceNamesAndSortsExtraNamesByKind) {
  const auto request =
      servingLeafRequest({"harborrobot-hub", "hub-ns", {"10.1.2.3", "hub.example.com", "fd00::1"}});
  EXPECT_EQ(request.commonName, "harborrobot-hub.hub-ns.svc");
  EXPECT_EQ(request.dnsNames, (std::vector<std::string>{"harborrobot-hub", "harborrobot-hub.hub-ns",
                                                        "harborrobot-hub.hub-ns.svc",
                                                        "harborrobot-hub.hub-ns.svc.cluster.local",
                                                        "hub.example.com"}));
  EXPECT_EQ(request.ipAddresses, (std::vector<std::string>{"10.1.2.3", "fd00::1"}));
  EXPECT_EQ(request.validity, std::chrono::hours(24 * 365));
}

TEST(CaSecret, HoldsTheKeyPairInBase64) {
  const tls::KeyPair ca{"-----CERT-----", SecretString("-----KEY-----")};
  const auto secret = caSecretObject("hub-ns", ca);
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  EXPECT_EQ(secret["metadata"]["name"], wire::kHubCaName);
  const auto read = caInSecret("hub-ns", secret);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->certificatePem, "-----CERT-----");
  EXPECT_EQ(read->privateKeyPem.reveal(), "-----KEY-----");
}

TEST(CaSecret, WithoutBase64TlsDataIsAFailedPrecondition) {
  const auto read = caInSecret("hub-ns", {{"data", {{"tls.crt", "%%%"}}}});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(read.error().message(),
            "secret hub-ns/harborrobot-hub-ca does not hold a base64 tls.crt and tls.key");
}

TEST(CaConfigMap, PublishesOnlyTheCertificate) {
  const auto configMap = caConfigMapObject("hub-ns", "PEM");
  EXPECT_EQ(configMap["data"], (kube::Json{{"ca.crt", "PEM"}}));
  EXPECT_EQ(configMap["metadata"]["namespace"], "hub-ns");
}

TEST(LoadServingCertificate, CreatesTheCaOnceAndServesUnderItAfterwards) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  const ServingIdentity identity{"harborrobot-hub", kNamespace, {"10.0.0.9"}};
  auto first = loadServingCertificate(apiserver.admin(), identity);
  ASSERT_TRUE(first) << first.error().message();
  auto second = loadServingCertificate(apiserver.admin(), identity);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(first->caPem, second->caPem);
  EXPECT_NE(first->serving.certificatePem, second->serving.certificatePem);

  const auto secret = apiserver.stored(kube::resources::secrets(), kNamespace, wire::kHubCaName);
  ASSERT_TRUE(secret);
  EXPECT_EQ(*base64Decode((*secret)["data"]["tls.crt"].get<std::string>()), first->caPem);
  const auto published =
      apiserver.stored(kube::resources::configMaps(), kNamespace, wire::kHubCaName);
  ASSERT_TRUE(published);
  EXPECT_EQ((*published)["data"]["ca.crt"], first->caPem);
}

TEST(LoadServingCertificate, RefusesACaSecretThatHoldsNoCa) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  ASSERT_TRUE(apiserver.admin().create(kube::resources::secrets(), kNamespace,
                                       {{"apiVersion", "v1"},
                                        {"kind", "Secret"},
                                        {"metadata", {{"name", wire::kHubCaName}}},
                                        {"data",
                                         {{"tls.crt", base64Encode("not a certificate")},
                                          {"tls.key", base64Encode("not a key")}}}}));
  auto loaded = loadServingCertificate(apiserver.admin(), {"harborrobot-hub", kNamespace, {}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument) << loaded.error().message();
  // The Secret someone else made is left as it is: no new CA replaces it.
  const auto secret = apiserver.stored(kube::resources::secrets(), kNamespace, wire::kHubCaName);
  EXPECT_EQ(*base64Decode((*secret)["data"]["tls.crt"].get<std::string>()), "not a certificate");
}

} // namespace
} // namespace harborrobot::hub

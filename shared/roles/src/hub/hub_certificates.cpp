// The hub's CA and serving certificate: read or created through the API, the
// objects and the certificate request built here.
#include "harborrobot/hub/hub_certificates.h"

#include <arpa/inet.h>

#include "harborrobot/model/wire_names.h"
#include "harborrobot/util/base64.h"

namespace harborrobot::hub {

namespace {

bool isIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Result<tls::CertificateAuthority> loadOrCreateCa(kube::Client& client, const std::string& ns) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = client.get(kube::resources::secrets(), ns, wire::kHubCaName);
    if (existing) {
      auto ca = caInSecret(ns, *existing);
      if (!ca) {
        return makeError(ca.error());
      }
      return tls::CertificateAuthority::fromPem(*ca);
    }
    if (existing.error().code() != ErrorCode::kNotFound) {
      return makeError(existing.error());
    }
    auto created =
        tls::CertificateAuthority::create("harborrobot-hub-ca", std::chrono::hours(24 * 365 * 10));
    if (!created) {
      return makeError(created.error());
    }
    auto written = client.create(kube::resources::secrets(), ns, caSecretObject(ns, created->ca()));
    if (written) {
      return created;
    }
    if (written.error().code() != ErrorCode::kAlreadyExists) {
      return makeError(written.error());
    }
    // Another replica won the race: read its CA on the next pass.
  }
  return makeError(ErrorCode::kUnavailable, "could not settle the hub CA secret");
}

Status publishCa(kube::Client& client, const std::string& ns, const std::string& certificate) {
  const kube::Json desired = caConfigMapData(certificate);
  auto existing = client.get(kube::resources::configMaps(), ns, wire::kHubCaName);
  if (existing) {
    if (existing->value("data", kube::Json::object()) == desired) {
      return ok();
    }
    auto updated = client.modify(kube::resources::configMaps(), ns, wire::kHubCaName,
                                 [&](kube::Json& object) -> Result<bool> {
                                   object["data"] = desired;
                                   return true;
                                 });
    return updated ? ok() : makeError(updated.error());
  }
  if (existing.error().code() != ErrorCode::kNotFound) {
    return makeError(existing.error());
  }
  auto created =
      client.create(kube::resources::configMaps(), ns, caConfigMapObject(ns, certificate));
  if (!created && created.error().code() != ErrorCode::kAlreadyExists) {
    return makeError(created.error());
  }
  return ok();
}

} // namespace

tls::LeafRequest servingLeafRequest(const ServingIdentity& identity) {
  tls::LeafRequest request;
  request.commonName = identity.serviceName + "." + identity.ns + ".svc";
  request.dnsNames = {identity.serviceName, identity.serviceName + "." + identity.ns,
                      identity.serviceName + "." + identity.ns + ".svc",
                      identity.serviceName + "." + identity.ns + ".svc.cluster.local"};
  for (const auto& name : identity.extraNames) {
    (isIpAddress(name) ? request.ipAddresses : request.dnsNames).push_back(name);
  }
  request.validity = std::chrono::hours(24 * 365);
  return request;
}

kube::Json caSecretObject(std::string_view ns, const tls::KeyPair& ca) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", wire::kHubCaName},
            {"namespace", ns},
            {"labels", {{wire::kManagedByLabel, wire::kManagedByValue}}}}},
          {"type", "kubernetes.io/tls"},
          {"data",
           {{"tls.crt", base64Encode(ca.certificatePem)},
            {"tls.key", base64Encode(ca.privateKeyPem.reveal())}}}};
}

Result<tls::KeyPair> caInSecret(std::string_view ns, const kube::Json& secret) {
  const auto data = secret.value("data", kube::Json::object());
  auto certificate = base64Decode(data.value("tls.crt", std::string()));
  auto key = base64Decode(data.value("tls.key", std::string()));
  if (!certificate || !key) {
    return makeError(ErrorCode::kFailedPrecondition,
                     "secret " + std::string(ns) + "/" + std::string(wire::kHubCaName) +
                         " does not hold a base64 tls.crt and tls.key");
  }
  return tls::KeyPair{*certificate, SecretString(*key)};
}

kube::Json caConfigMapData(const std::string& certificatePem) {
  return {{"ca.crt", certificatePem}};
}

kube::Json caConfigMapObject(std::string_view ns, const std::string& certificatePem) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", wire::kHubCaName},
            {"namespace", ns},
            {"labels", {{wire::kManagedByLabel, wire::kManagedByValue}}}}},
          {"data", caConfigMapData(certificatePem)}};
}

Result<HubCertificates> loadServingCertificate(kube::Client& client,
                                               const ServingIdentity& identity) {
  auto ca = loadOrCreateCa(client, identity.ns);
  if (!ca) {
    return makeError(ca.error());
  }
  if (auto published = publishCa(client, identity.ns, ca->ca().certificatePem); !published) {
    return makeError(published.error());
  }
  auto serving = ca->issue(servingLeafRequest(identity));
  if (!serving) {
    return makeError(serving.error());
  }
  return HubCertificates{std::move(*serving), ca->ca().certificatePem};
}

} // namespace harborrobot::hub

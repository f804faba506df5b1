// The simulated kube-apiserver's request handling, independent of the HTTP
// library: a request in, a response (or a chunked watch stream) out.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "fault_injector.h"
#include "object_store.h"
#include "request_target.h"
#include "resource_type.h"
#include "user_info.h"

namespace harborrobot::kubesim {

struct ApiRequest {
  std::string method;
  std::string path;
  std::string rawQuery;
  std::string accept;
  std::string contentType;
  std::string body;
  UserInfo user;
  // Impersonate-User, Impersonate-Group (repeatable), Impersonate-Uid and
  // Impersonate-Extra-<key> headers, as sent.
  std::string impersonateUser;
  std::vector<std::string> impersonateGroups;
  std::string impersonateUid;
  std::vector<std::pair<std::string, std::string>> impersonateExtras;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class ResponseWriter {
public:
  virtual ~ResponseWriter() = default;
  virtual void send(int status, const std::string& contentType, const std::string& body,
                    const Headers& headers) = 0;
  // Starts a chunked response; writes return false once the client is gone.
  virtual bool startStream(int status, const std::string& contentType) = 0;
  virtual bool writeChunk(const std::string& data) = 0;
};

// Decodes a protobuf request body into the object's JSON form.
using ProtobufDecoder = std::function<ApiResult<nlohmann::json>(const std::string& body)>;

class TokenSigner;
class RbacSource;

struct ApiServerOptions {
  std::string serverAddress; // host:port advertised in /api
  std::string caPem;         // kube-root-ca.crt contents
  ProtobufDecoder decodeProtobuf;
  const TokenSigner* tokenSigner = nullptr; // ServiceAccount tokens; none = not issued
  // The shortest TokenRequest allowed; the apiserver's is 10 minutes, tests
  // lower it to see tokens expire.
  std::int64_t minimumTokenSeconds = 600;
  // etcd's --max-request-bytes: a write whose key and value exceed it is
  // refused with 500 "etcdserver: request is too large"; 0 turns it off.
  std::size_t etcdMaxRequestBytes = 1572864;
  // API Priority and Fairness stand-in: requests one user may have in flight
  // at once before the next gets 429 with Retry-After; 0 (default) is off.
  int maxInflightPerUser = 0;
  // How long a watch with allowWatchBookmarks stays quiet before it gets a
  // BOOKMARK; watches wake at least once a second, so shorter means "next wake".
  // Embedding tests lower it to see bookmarks without waiting.
  std::chrono::milliseconds bookmarkAfterIdle{5000};
};

class ApiServer {
public:
  ApiServer(ObjectStore& store, TypeRegistry& registry, ApiServerOptions options);

  void handle(const ApiRequest& request, ResponseWriter& writer);

  // The user a ServiceAccount token (a JWT this server issued) stands for:
  // valid signature, not expired, the apiserver's audience, and its
  // ServiceAccount (and bound object) still existing with the same UID.
  std::optional<UserInfo> authenticateBearer(const std::string& token) const;

  // Creates what a fresh cluster has: the default, kube-system, kube-public and
  // kube-node-lease namespaces with their default ServiceAccount and CA bundle.
  void bootstrap();

private:
  struct Call {
    const ApiRequest& request;
    RequestTarget target;
    ResourceType type;
    std::map<std::string, std::string> query;
    Headers warnings;
    bool dryRun() const;
    std::string fieldManager() const;
  };

  void handleNonResource(const ApiRequest& request, ResponseWriter& writer);
  // The user a request acts as after its impersonation headers, or the error
  // the apiserver's impersonation filter answers.
  ApiResult<UserInfo> impersonatedUser(const ApiRequest& request) const;
  ApiResult<nlohmann::json> dispatch(Call& call, ResponseWriter& writer, int& status);

  // Reads (list_watch.cpp).
  ApiResult<nlohmann::json> getObject(Call& call);
  ApiResult<nlohmann::json> listObjects(Call& call);
  void watchObjects(Call& call, ResponseWriter& writer);

  // Writes (resource_writes.cpp).
  ApiResult<nlohmann::json> createObject(Call& call, nlohmann::json object);
  ApiResult<nlohmann::json> updateObject(Call& call, nlohmann::json object);
  ApiResult<nlohmann::json> patchObject(Call& call, int& status);
  ApiResult<nlohmann::json> deleteObject(Call& call);
  ApiResult<nlohmann::json> deleteCollection(Call& call);

  ApiResult<nlohmann::json> decodeBody(const Call& call) const;
  // Decoding checks and the fieldValidation policy for a body about to be stored.
  ApiResult<void> checkFields(Call& call, nlohmann::json& object) const;
  ApiResult<void> validate(const Call& call, const nlohmann::json& object,
                           const nlohmann::json& old, const RbacSource& rbac) const;
  // RBAC's escalation and bind checks on Role and binding writes.
  ApiResult<void> checkEscalation(const Call& call, const nlohmann::json& object,
                                  const RbacSource& rbac) const;

  // Reviews and TokenRequests (reviews.cpp).
  ApiResult<nlohmann::json> createReview(Call& call);
  ApiResult<nlohmann::json> createToken(Call& call);
  // Token checks shared by authentication and TokenReview; the error says why.
  tl::expected<UserInfo, std::string> userForToken(const std::string& token,
                                                   const std::vector<std::string>& audiences,
                                                   std::vector<std::string>* matched) const;
  ApiResult<nlohmann::json> commitUpdate(Call& call, StoreWriter& writer, const nlohmann::json& old,
                                         nlohmann::json candidate, bool toStatus);
  ApiResult<nlohmann::json> insert(Call& call, StoreWriter& writer, nlohmann::json object);
  ApiResult<void> admitPodServiceAccount(StoreWriter& writer, nlohmann::json& pod);
  void populateNamespace(StoreWriter& writer, const std::string& namespaceName);
  void removeNamespaceContents(StoreWriter& writer, const std::string& namespaceName);
  void collectGarbage(StoreWriter& writer, const std::string& ownerUid, bool orphan);
  void onCrdStored(const nlohmann::json& crd);
  void onCrdRemoved(StoreWriter& writer, const nlohmann::json& crd);

  ApiResult<void> fitsInEtcd(const Call& call, const nlohmann::json& object) const;
  std::string newUid();
  std::string randomSuffix();

  void handleFaults(const ApiRequest& request, ResponseWriter& writer);

  // One request counted against its user's in-flight limit while it lives.
  class InflightSlot {
  public:
    InflightSlot(ApiServer& server, const ApiRequest& request);
    ~InflightSlot();
    InflightSlot(const InflightSlot&) = delete;
    InflightSlot& operator=(const InflightSlot&) = delete;
    bool admitted() const { return admitted_; }

  private:
    ApiServer& server_;
    std::string user_; // set when counted
    bool admitted_ = true;
  };

  ObjectStore& store_;
  TypeRegistry& registry_;
  std::mutex inflightMutex_;
  std::map<std::string, int> inflight_;
  FaultInjector faults_;
  ApiServerOptions options_;
  std::mutex randomMutex_;
  std::mt19937_64 random_;
};

std::string toJsonText(const nlohmann::json& value);

// The Kubernetes verb of a request, the one RBAC checks: get, list, watch,
// create, update, patch, delete or deletecollection on a resource path; the
// lowercase HTTP method on any other path (discovery, /version, ...).
std::string requestVerb(const ApiRequest& request);

} // namespace harborrobot::kubesim

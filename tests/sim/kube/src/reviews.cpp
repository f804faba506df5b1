// TokenRequest, TokenReview and the access reviews behind `kubectl create
// token`, `kubectl auth can-i` and `kubectl auth whoami`.
#include <fmt/format.h>

#include "api_server.h"
#include "authorizer.h"
#include "service_account_tokens.h"
#include "timestamps.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultTokenSeconds = 3600;

json userJson(const UserInfo& user) {
  json info = {{"username", user.name}, {"groups", user.groups}};
  if (!user.uid.empty())
    info["uid"] = user.uid;
  return info;
}

std::vector<std::string> stringList(const json& value) {
  std::vector<std::string> list;
  if (value.is_array()) {
    for (const auto& entry : value) {
      if (entry.is_string())
        list.push_back(entry);
    }
  }
  return list;
}

UserInfo serviceAccountUser(const std::string& ns, const std::string& name,
                            const std::string& uid) {
  return {fmt::format("system:serviceaccount:{}:{}", ns, name),
          {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
          uid};
}

} // namespace

tl::expected<UserInfo, std::string>
ApiServer::userForToken(const std::string& token, const std::vector<std::string>& audiences,
                        std::vector<std::string>* matched) const {
  if (options_.tokenSigner == nullptr)
    return tl::unexpected(std::string("service-account tokens are not enabled"));
  auto claims = options_.tokenSigner->verify(token);
  if (!claims)
    return tl::unexpected(claims.error());
  std::vector<std::string> overlap;
  for (const auto& audience : claims->audiences) {
    if (std::find(audiences.begin(), audiences.end(), audience) != audiences.end())
      overlap.push_back(audience);
  }
  if (overlap.empty())
    return tl::unexpected(std::string("invalid bearer token, token audiences ") +
                          json(claims->audiences).dump() + " is invalid for the target audiences " +
                          json(audiences).dump());
  const auto account =
      store_.get("/serviceaccounts", objectKey(claims->namespaceName, claims->serviceAccount));
  if (!account || account->at("metadata").value("uid", "") != claims->serviceAccountUid) {
    return tl::unexpected(
        fmt::format("invalid bearer token, service account {}/{} has been deleted",
                    claims->namespaceName, claims->serviceAccount));
  }
  if (claims->boundObject) {
    const std::string kind = claims->boundObject->value("kind", "");
    const auto bound =
        store_.get(kind == "Pod" ? "/pods" : "/secrets",
                   objectKey(claims->namespaceName, claims->boundObject->value("name", "")));
    if (!bound || bound->at("metadata").value("uid", "") != claims->boundObject->value("uid", "")) {
      return tl::unexpected(fmt::format("invalid bearer token, the bound {} {}/{} is gone", kind,
                                        claims->namespaceName,
                                        claims->boundObject->value("name", "")));
    }
  }
  if (matched != nullptr)
    *matched = overlap;
  return serviceAccountUser(claims->namespaceName, claims->serviceAccount,
                            claims->serviceAccountUid);
}

std::optional<UserInfo> ApiServer::authenticateBearer(const std::string& token) const {
  auto user = userForToken(token, {kTokenIssuer}, nullptr);
  if (!user)
    return std::nullopt;
  return *user;
}

ApiResult<json> ApiServer::createToken(Call& call) {
  auto body = [&]() -> ApiResult<json> {
    if (call.request.contentType.starts_with("application/vnd.kubernetes.protobuf") &&
        options_.decodeProtobuf)
      return options_.decodeProtobuf(call.request.body);
    json parsed = json::parse(call.request.body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
      return tl::unexpected(badRequest("the TokenRequest body is not a JSON object"));
    return parsed;
  }();
  if (!body)
    return body;
  if (options_.tokenSigner == nullptr)
    return tl::unexpected(methodNotAllowed());
  const json spec = body->value("spec", json::object());
  const std::string& ns = call.target.namespaceName;
  const std::string& name = call.target.name;
  std::int64_t seconds = kDefaultTokenSeconds;
  if (spec.contains("expirationSeconds") && spec["expirationSeconds"].is_number_integer())
    seconds = spec["expirationSeconds"].get<std::int64_t>();
  if (seconds < options_.minimumTokenSeconds) {
    return tl::unexpected(
        invalid("TokenRequest.authentication.k8s.io", name, "authentication.k8s.io", "TokenRequest",
                {invalidValue("spec.expirationSeconds", seconds,
                              "may not specify a duration less than 10 minutes")}));
  }
  const auto account = store_.get("/serviceaccounts", objectKey(ns, name));
  if (!account)
    return tl::unexpected(notFound("serviceaccounts", name));
  TokenClaims claims;
  claims.namespaceName = ns;
  claims.serviceAccount = name;
  claims.serviceAccountUid = account->at("metadata").value("uid", "");
  claims.audiences = stringList(spec.value("audiences", json::array()));
  if (claims.audiences.empty())
    claims.audiences = {kTokenIssuer};
  claims.issuedAt = std::chrono::system_clock::now();
  claims.expiresAt = claims.issuedAt + std::chrono::seconds(seconds);
  if (spec.contains("boundObjectRef") && spec["boundObjectRef"].is_object()) {
    const json& ref = spec["boundObjectRef"];
    const std::string kind = ref.value("kind", "");
    if (kind != "Pod" && kind != "Secret") {
      return tl::unexpected(invalid(
          "TokenRequest.authentication.k8s.io", name, "authentication.k8s.io", "TokenRequest",
          {unsupportedValue("spec.boundObjectRef.kind", kind, {"Pod", "Secret"})}));
    }
    const auto bound =
        store_.get(kind == "Pod" ? "/pods" : "/secrets", objectKey(ns, ref.value("name", "")));
    if (!bound || (ref.contains("uid") && ref["uid"] != bound->at("metadata").value("uid", ""))) {
      return tl::unexpected(notFound(kind == "Pod" ? "pods" : "secrets", ref.value("name", "")));
    }
    claims.boundObject = json{{"kind", kind},
                              {"name", ref.value("name", "")},
                              {"uid", bound->at("metadata").value("uid", "")}};
  }
  json response = *body;
  response["apiVersion"] = "authentication.k8s.io/v1";
  response["kind"] = "TokenRequest";
  response["metadata"] = {
      {"name", name}, {"namespace", ns}, {"creationTimestamp", formatTimestamp(claims.issuedAt)}};
  response["spec"]["audiences"] = claims.audiences;
  response["spec"]["expirationSeconds"] = seconds;
  response["status"] = {{"token", options_.tokenSigner->issue(claims)},
                        {"expirationTimestamp", formatTimestamp(claims.expiresAt)}};
  return response;
}

ApiResult<json> ApiServer::createReview(Call& call) {
  auto body = decodeBody(call);
  if (!body)
    return body;
  json review = std::move(*body);
  const json spec = review.value("spec", json::object());
  const std::string& kind = call.type.kind;
  if (kind == "TokenReview") {
    std::vector<std::string> audiences = stringList(spec.value("audiences", json::array()));
    if (audiences.empty())
      audiences = {kTokenIssuer};
    std::vector<std::string> matched;
    auto user = userForToken(spec.value("token", ""), audiences, &matched);
    if (user) {
      review["status"] = {
          {"authenticated", true}, {"user", userJson(*user)}, {"audiences", matched}};
    } else {
      review["status"] = {
          {"authenticated", false}, {"user", json::object()}, {"error", user.error()}};
    }
  } else if (kind == "SelfSubjectReview") {
    review["status"] = {{"userInfo", userJson(call.request.user)}};
  } else {
    // Access reviews: whose access, and to what.
    UserInfo subject = call.request.user;
    if (kind == "SubjectAccessReview" || kind == "LocalSubjectAccessReview") {
      subject = {spec.value("user", ""), stringList(spec.value("groups", json::array())),
                 spec.value("uid", "")};
    }
    RequestAttributes attributes{subject, "", true, "", "", "", "", "", ""};
    if (spec.contains("nonResourceAttributes") && spec["nonResourceAttributes"].is_object()) {
      const json& target = spec["nonResourceAttributes"];
      attributes.resourceRequest = false;
      attributes.verb = target.value("verb", "");
      attributes.path = target.value("path", "");
    } else {
      const json target = spec.value("resourceAttributes", json::object());
      attributes.verb = target.value("verb", "");
      attributes.apiGroup = target.value("group", "");
      attributes.resource = target.value("resource", "");
      attributes.subresource = target.value("subresource", "");
      attributes.name = target.value("name", "");
      attributes.namespaceName = kind == "LocalSubjectAccessReview" ? call.target.namespaceName
                                                                    : target.value("namespace", "");
    }
    if (attributes.verb.empty()) {
      return tl::unexpected(invalid(call.type.qualifiedKind(), "", call.type.group, kind,
                                    {requiredValue("spec.resourceAttributes.verb")}));
    }
    const bool allowed = authorize(StoreRbacSource(store_), attributes);
    review["status"] = {{"allowed", allowed}};
    if (allowed && !isSuperuser(subject))
      review["status"]["reason"] = "allowed by RBAC";
  }
  review["metadata"] = {{"creationTimestamp", nullptr}};
  return review;
}

} // namespace harborrobot::kubesim

// Request dispatch of the simulated apiserver: non-resource paths, then the
// verb on a resource path. Reads live in list_watch.cpp, writes in
// resource_writes.cpp.
#include "api_server.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <regex>

#include <fmt/format.h>

#include "authorizer.h"
#include "crd_schema.h"
#include "discovery.h"
#include "event_conversion.h"
#include "field_selector.h"
#include "harborrobot/util/yaml_json.h"
#include "openapi_v2.h"
#include "validation.h"

namespace harborrobot::kubesim {

using nlohmann::json;

std::string toJsonText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

ApiServer::ApiServer(ObjectStore& store, TypeRegistry& registry, ApiServerOptions options)
    : store_(store), registry_(registry), options_(std::move(options)),
      random_(std::random_device{}()) {}

bool ApiServer::Call::dryRun() const {
  const auto found = query.find("dryRun");
  return found != query.end() && found->second == "All";
}

std::string ApiServer::Call::fieldManager() const {
  const auto found = query.find("fieldManager");
  return found == query.end() ? "" : found->second;
}

std::string ApiServer::newUid() {
  std::lock_guard lock(randomMutex_);
  const auto high = random_();
  const auto low = random_();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xfff, 0x8000 | (low >> 48 & 0x3fff), low & 0xffffffffffffULL);
}

std::string ApiServer::randomSuffix() {
  // The alphabet of apimachinery's rand.String: no vowels, no confusable digits.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::lock_guard lock(randomMutex_);
  std::string suffix;
  for (int i = 0; i < 5; ++i)
    suffix += kAlphabet[random_() % (sizeof(kAlphabet) - 1)];
  return suffix;
}

namespace {

void sendJson(ResponseWriter& writer, int status, const json& body, const Headers& headers = {}) {
  writer.send(status, "application/json", toJsonText(body), headers);
}

void sendError(ResponseWriter& writer, const ApiError& error, const Headers& headers = {}) {
  sendJson(writer, error.code, error.status, headers);
}

bool isWatch(const std::map<std::string, std::string>& query) {
  return queryFlag(query, "watch");
}

std::string mediaType(const std::string& contentType) {
  std::string type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && type.back() == ' ')
    type.pop_back();
  return type;
}

} // namespace

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// What RBAC checks: the verb from the HTTP method and the shape of the
// request, and what the request addresses.
RequestAttributes attributesFor(const ApiRequest& request,
                                const std::optional<RequestTarget>& target) {
  RequestAttributes attributes;
  attributes.user = request.user;
  if (!target) {
    attributes.resourceRequest = false;
    attributes.path = request.path;
    attributes.verb = lowercase(request.method);
    return attributes;
  }
  attributes.apiGroup = target->group;
  attributes.resource = target->resource;
  attributes.subresource = target->subresource;
  attributes.name = target->name;
  attributes.namespaceName = target->namespaceName;
  if (target->resource == "namespaces" && !target->name.empty())
    attributes.namespaceName = target->name;
  const std::string& method = request.method;
  // The verb from the method and the shape of the request as apiserver
  // pkg/endpoints/request/requestinfo.go (RequestInfoFactory.NewRequestInfo)
  // derives it: GET/HEAD of a name is get, of a collection list, or watch with
  // ?watch=true (a named GET stays get whatever ?watch says, and is served as
  // one); POST create, PUT update, PATCH patch, DELETE of a name delete, of a
  // collection deletecollection. Non-resource requests (above) take the
  // lowercase method. The deprecated /watch/ path prefix is not served here.
  if (method == "GET" || method == "HEAD") {
    const auto query = parseQuery(request.rawQuery);
    if (!target->name.empty())
      attributes.verb = "get";
    else
      attributes.verb = queryFlag(query, "watch") ? "watch" : "list";
    // A list or watch of one name (fieldSelector metadata.name=X) is authorized
    // as a request for that name, so resourceNames can allow it; a label
    // selector never narrows RBAC. apiserver
    // pkg/endpoints/request/requestinfo.go (NewRequestInfo), then
    // plugin/pkg/auth/authorizer/rbac/rbac.go (RuleAllows: ResourceNameMatches
    // against requestAttributes.GetName()).
    if (target->name.empty()) {
      if (const auto selector = query.find("fieldSelector"); selector != query.end())
        attributes.name = nameRequestedBy(selector->second);
    }
  } else if (method == "POST") {
    attributes.verb = "create";
  } else if (method == "PUT") {
    attributes.verb = "update";
  } else if (method == "PATCH") {
    attributes.verb = "patch";
  } else if (method == "DELETE") {
    attributes.verb = target->name.empty() ? "deletecollection" : "delete";
  } else {
    attributes.verb = lowercase(method);
  }
  return attributes;
}

} // namespace

std::string requestVerb(const ApiRequest& request) {
  return attributesFor(request, parseResourcePath(request.path)).verb;
}

ApiResult<UserInfo> ApiServer::impersonatedUser(const ApiRequest& request) const {
  // apiserver pkg/endpoints/filters/impersonation.go (WithImpersonation,
  // buildImpersonationRequests): each requested identity needs the verb
  // "impersonate" on users, groups, serviceaccounts (for
  // system:serviceaccount:<ns>:<name>), uids or userextras/<key>; groups or
  // extras without a user are refused with an internal error; without
  // Impersonate-Group an impersonated ServiceAccount gets its fixed groups,
  // and a non-anonymous user gets system:authenticated unless
  // system:authenticated or system:unauthenticated is listed.
  if (request.impersonateUser.empty()) {
    return tl::unexpected(statusError(
        500, "InternalError",
        "Internal error occurred: requested impersonation of groups, a uid or extras without "
        "impersonating a user"));
  }
  const StoreRbacSource rbac(store_);
  auto check = [&](RequestAttributes attributes) -> ApiResult<void> {
    attributes.user = request.user;
    attributes.verb = "impersonate";
    attributes.resourceRequest = true;
    if (authorize(rbac, attributes))
      return {};
    ApiError error = forbidden(forbiddenMessage(attributes));
    error.status["details"] = {{"name", attributes.name}, {"kind", attributes.resource}};
    if (!attributes.apiGroup.empty())
      error.status["details"]["group"] = attributes.apiGroup;
    return tl::unexpected(error);
  };
  UserInfo acting;
  acting.name = request.impersonateUser;
  static const std::string kServiceAccountPrefix = "system:serviceaccount:";
  bool serviceAccount = false;
  if (acting.name.starts_with(kServiceAccountPrefix)) {
    const std::string rest = acting.name.substr(kServiceAccountPrefix.size());
    const auto colon = rest.find(':');
    if (colon != std::string::npos && colon > 0 && colon + 1 < rest.size() &&
        rest.find(':', colon + 1) == std::string::npos) {
      serviceAccount = true;
      const std::string ns = rest.substr(0, colon);
      if (auto allowed =
              check({{}, "", true, "", "serviceaccounts", "", rest.substr(colon + 1), ns, ""});
          !allowed)
        return tl::unexpected(allowed.error());
      if (request.impersonateGroups.empty())
        acting.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
    }
  }
  if (!serviceAccount) {
    if (auto allowed = check({{}, "", true, "", "users", "", acting.name, "", ""}); !allowed)
      return tl::unexpected(allowed.error());
  }
  for (const auto& group : request.impersonateGroups) {
    if (auto allowed = check({{}, "", true, "", "groups", "", group, "", ""}); !allowed)
      return tl::unexpected(allowed.error());
    acting.groups.push_back(group);
  }
  for (const auto& [key, value] : request.impersonateExtras) {
    if (auto allowed =
            check({{}, "", true, "authentication.k8s.io", "userextras", key, value, "", ""});
        !allowed)
      return tl::unexpected(allowed.error());
  }
  if (!request.impersonateUid.empty()) {
    if (auto allowed = check(
            {{}, "", true, "authentication.k8s.io", "uids", "", request.impersonateUid, "", ""});
        !allowed)
      return tl::unexpected(allowed.error());
    acting.uid = request.impersonateUid;
  }
  if (acting.name != "system:anonymous" &&
      std::none_of(acting.groups.begin(), acting.groups.end(), [](const std::string& group) {
        return group == "system:authenticated" || group == "system:unauthenticated";
      }))
    acting.groups.push_back("system:authenticated");
  return acting;
}

ApiServer::InflightSlot::InflightSlot(ApiServer& server, const ApiRequest& request)
    : server_(server) {
  const int limit = server.options_.maxInflightPerUser;
  if (limit <= 0 || isSuperuser(request.user) || isWatch(parseQuery(request.rawQuery)))
    return;
  std::lock_guard lock(server.inflightMutex_);
  int& inflight = server.inflight_[request.user.name];
  if (inflight >= limit) {
    admitted_ = false;
    return;
  }
  ++inflight;
  user_ = request.user.name;
}

ApiServer::InflightSlot::~InflightSlot() {
  if (user_.empty())
    return;
  std::lock_guard lock(server_.inflightMutex_);
  if (--server_.inflight_[user_] == 0)
    server_.inflight_.erase(user_);
}

void ApiServer::handle(const ApiRequest& original, ResponseWriter& writer) {
  std::optional<ApiRequest> impersonating;
  if (!original.impersonateUser.empty() || !original.impersonateGroups.empty() ||
      !original.impersonateUid.empty() || !original.impersonateExtras.empty()) {
    auto acting = impersonatedUser(original);
    if (!acting) {
      sendError(writer, acting.error());
      return;
    }
    impersonating = original;
    impersonating->user = std::move(*acting);
  }
  const ApiRequest& request = impersonating ? *impersonating : original;
  // Flow control comes after impersonation and before authorization
  // (apiserver pkg/server/config.go DefaultBuildHandlerChain).
  InflightSlot slot(*this, request);
  if (!slot.admitted()) {
    // apiserver pkg/server/filters/maxinflight.go tooManyRequests, which
    // priority-and-fairness.go answers too: 429, Retry-After, a plain-text body
    // (http.Error); system:masters and long-running requests (watches) are
    // never limited.
    writer.send(429, "text/plain; charset=utf-8", "Too many requests, please try again later.\n",
                {{"Retry-After", "1"}, {"X-Content-Type-Options", "nosniff"}});
    return;
  }
  const auto target = parseResourcePath(request.path);
  const RequestAttributes attributes = attributesFor(request, target);
  if (!authorize(StoreRbacSource(store_), attributes)) {
    ApiError error = forbidden(forbiddenMessage(attributes));
    if (attributes.resourceRequest) {
      error.status["details"] = {{"name", attributes.name}, {"kind", attributes.resource}};
      if (!attributes.apiGroup.empty())
        error.status["details"]["group"] = attributes.apiGroup;
    }
    sendError(writer, error);
    return;
  }
  if (request.path == "/_sim/faults") {
    handleFaults(request, writer);
    return;
  }
  std::string retryAfter;
  if (auto injected = faults_.beforeRequest(request.method, attributes.resource,
                                            target ? target->name : std::string(), retryAfter)) {
    Headers headers;
    if (!retryAfter.empty())
      headers.emplace_back("Retry-After", retryAfter);
    sendError(writer, *injected, headers);
    return;
  }
  faults_.beforeList(attributes.verb, attributes.resource);
  if (!target) {
    handleNonResource(request, writer);
    return;
  }
  auto type = registry_.find(target->group, target->version, target->resource);
  const bool scopeFits = type && (type->namespaced || target->namespaceName.empty());
  if (!type || !scopeFits ||
      (!target->subresource.empty() && !type->hasSubresource(target->subresource))) {
    sendError(writer, pathNotFound());
    return;
  }
  Call call{request, *target, *type, parseQuery(request.rawQuery), {}};
  if (request.method == "GET" && target->name.empty() && isWatch(call.query)) {
    watchObjects(call, writer);
    return;
  }
  int status = 200;
  auto result = dispatch(call, writer, status);
  if (!result) {
    sendError(writer, result.error(), call.warnings);
    return;
  }
  // Objects are stored as core/v1 Events; the view answers them converted.
  if (isEventsV1(call.type))
    *result = presentEventsV1(std::move(*result));
  sendJson(writer, status, *result, call.warnings);
}

ApiResult<json> ApiServer::dispatch(Call& call, ResponseWriter& writer, int& status) {
  (void)writer;
  const std::string& method = call.request.method;
  const RequestTarget& target = call.target;
  if (call.type.virtualCreateOnly) {
    if (method != "POST" || !target.name.empty())
      return tl::unexpected(methodNotAllowed());
    status = 201;
    return createReview(call);
  }
  if (target.subresource == "token") {
    if (method != "POST")
      return tl::unexpected(methodNotAllowed());
    status = 201;
    return createToken(call);
  }
  if (method == "GET")
    return target.name.empty() ? listObjects(call) : getObject(call);
  if (method == "POST" && target.name.empty()) {
    if (call.type.namespaced && target.namespaceName.empty())
      return tl::unexpected(pathNotFound());
    auto body = decodeBody(call);
    if (!body)
      return body;
    status = 201;
    return createObject(call, std::move(*body));
  }
  if (method == "PUT" && !target.name.empty()) {
    auto body = decodeBody(call);
    if (!body)
      return body;
    return updateObject(call, std::move(*body));
  }
  if (method == "PATCH" && !target.name.empty())
    return patchObject(call, status);
  if (method == "DELETE")
    return target.name.empty() ? deleteCollection(call) : deleteObject(call);
  return tl::unexpected(methodNotAllowed());
}

void ApiServer::handleFaults(const ApiRequest& request, ResponseWriter& writer) {
  if (!isSuperuser(request.user)) {
    sendError(writer, forbidden("forbidden: only system:masters may inject faults"));
    return;
  }
  if (request.method == "GET") {
    sendJson(writer, 200, faults_.describe());
  } else if (request.method == "DELETE") {
    faults_.reset();
    sendJson(writer, 200, faults_.describe());
  } else if (request.method == "POST") {
    const json plan = json::parse(request.body, nullptr, false);
    auto configured = faults_.configure(plan);
    if (configured)
      sendJson(writer, 200, *configured);
    else
      sendError(writer, configured.error());
  } else {
    sendError(writer, methodNotAllowed());
  }
}

void ApiServer::handleNonResource(const ApiRequest& request, ResponseWriter& writer) {
  const std::string& path = request.path;
  if (request.method != "GET") {
    sendError(writer, methodNotAllowed());
    return;
  }
  if (path == "/version") {
    sendJson(writer, 200, versionInfo());
  } else if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    writer.send(200, "text/plain; charset=utf-8", "ok", {});
  } else if ((path == "/api" || path == "/apis") && acceptsAggregatedDiscovery(request.accept)) {
    writer.send(200, kAggregatedDiscoveryType,
                toJsonText(aggregatedDiscovery(registry_, path == "/api")), {});
  } else if (path == "/api") {
    sendJson(writer, 200, coreApiVersions(options_.serverAddress));
  } else if (path == "/apis") {
    sendJson(writer, 200, apiGroupList(registry_));
  } else if (path == "/openapi/v2") {
    // kube-openapi pkg/handler/handler.go: JSON or gnostic protobuf by Accept,
    // the deprecated protobuf subtype answered under the current one, a quoted
    // ETag of the JSON, 406 for anything else.
    const std::string representation = negotiateOpenApiV2(request.accept);
    if (representation.empty()) {
      writer.send(406, "text/plain; charset=utf-8", "", {{"Vary", "Accept"}});
      return;
    }
    const json document = openApiV2Document(registry_);
    const std::string text = toJsonText(document);
    const Headers headers = {
        {"Vary", "Accept"}, {"Etag", "\"" + std::to_string(std::hash<std::string>{}(text)) + "\""}};
    if (representation == "json")
      writer.send(200, "application/json", text, headers);
    else
      writer.send(200, kOpenApiV2ProtobufType, encodeOpenApiV2Protobuf(document), headers);
  } else if (path == "/openapi/v3") {
    sendJson(writer, 200, openApiIndex(registry_));
  } else if (path.starts_with("/openapi/v3/api/") || path.starts_with("/openapi/v3/apis/")) {
    const std::string rest = path.substr(std::string("/openapi/v3/").size());
    std::optional<json> document;
    if (rest.starts_with("api/")) {
      document = openApiDocument(registry_, "", rest.substr(4));
    } else if (const auto slash = rest.find('/', 5); slash != std::string::npos) {
      document = openApiDocument(registry_, rest.substr(5, slash - 5), rest.substr(slash + 1));
    }
    if (document)
      sendJson(writer, 200, *document);
    else
      sendError(writer, pathNotFound());
  } else if (path == "/api/v1") {
    sendJson(writer, 200, *apiResourceList(registry_, "", "v1"));
  } else if (path.starts_with("/apis/")) {
    const std::string rest = path.substr(6);
    const auto slash = rest.find('/');
    std::optional<json> body;
    if (slash == std::string::npos)
      body = apiGroup(registry_, rest);
    else if (rest.find('/', slash + 1) == std::string::npos)
      body = apiResourceList(registry_, rest.substr(0, slash), rest.substr(slash + 1));
    if (body)
      sendJson(writer, 200, *body);
    else
      sendError(writer, pathNotFound());
  } else {
    sendError(writer, pathNotFound());
  }
}

ApiResult<json> ApiServer::decodeBody(const Call& call) const {
  const std::string type = mediaType(call.request.contentType);
  const ResourceType& resource = call.type;
  if (type == "application/vnd.kubernetes.protobuf") {
    if (!options_.decodeProtobuf) {
      return tl::unexpected(
          unsupportedMediaType(call.request.contentType, "application/json, application/yaml"));
    }
    return options_.decodeProtobuf(call.request.body);
  }
  json body;
  if (type == "application/yaml") {
    auto parsed = yamlToJson(call.request.body);
    if (!parsed)
      return tl::unexpected(badRequest(cannotBeHandled(resource, parsed.error().message())));
    body = std::move(*parsed);
  } else if (type.empty() || type == "application/json") {
    body = json::parse(call.request.body, nullptr, false);
    if (body.is_discarded()) {
      return tl::unexpected(badRequest(
          "couldn't get version/kind; json parse error: the request body is not valid JSON"));
    }
  } else {
    return tl::unexpected(unsupportedMediaType(
        call.request.contentType,
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"));
  }
  if (!body.is_object()) {
    return tl::unexpected(badRequest(fmt::format(
        "couldn't get version/kind; json parse error: the body is a JSON {}, not an object",
        body.type_name())));
  }
  // Like the apiserver's decoder, the endpoint supplies a missing apiVersion
  // and kind (clients such as python-kubernetes leave them out).
  for (const char* key : {"kind", "apiVersion"}) {
    if (body.contains(key) && !body[key].is_string() && !body[key].is_null()) {
      return tl::unexpected(badRequest(cannotBeHandled(
          resource, fmt::format("json: cannot unmarshal {} into Go struct field {} of type string",
                                body[key].type_name(), key))));
    }
  }
  if (!body.contains("kind") || body["kind"].is_null() || body["kind"] == "")
    body["kind"] = resource.kind;
  if (!body.contains("apiVersion") || body["apiVersion"].is_null() || body["apiVersion"] == "")
    body["apiVersion"] = resource.apiVersion();
  if (body["kind"] != resource.kind || body["apiVersion"] != resource.apiVersion()) {
    return tl::unexpected(badRequest(fmt::format(
        "the API version in the data ({}) does not match the expected API version ({}), or "
        "the kind ({}) does not match the expected kind ({})",
        body.value("apiVersion", ""), resource.apiVersion(), body["kind"].get<std::string>(),
        resource.kind)));
  }
  return body;
}

namespace {

// apimachinery pkg/apis/meta/v1/micro_time.go: MicroTime unmarshals with
// time.Parse(RFC3339Micro, "2006-01-02T15:04:05.000000Z07:00"), exactly six
// fractional digits, and marshals back in UTC. Returns the UTC form, or the
// decode error's text.
tl::expected<std::string, std::string> normalizedMicroTime(const std::string& text) {
  static const std::regex kMicroTime(
      R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})(Z|([+-])(\d{2}):(\d{2})))");
  std::smatch match;
  if (!std::regex_match(text, match, kMicroTime)) {
    return tl::unexpected(
        fmt::format("parsing time {} as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse {} as "
                    "\"2006-01-02T15:04:05.000000Z07:00\"",
                    goQuote(text), goQuote(text)));
  }
  std::tm parts{};
  parts.tm_year = std::stoi(match[1]) - 1900;
  parts.tm_mon = std::stoi(match[2]) - 1;
  parts.tm_mday = std::stoi(match[3]);
  parts.tm_hour = std::stoi(match[4]);
  parts.tm_min = std::stoi(match[5]);
  parts.tm_sec = std::stoi(match[6]);
  std::time_t seconds = timegm(&parts);
  if (match[8] != "Z") {
    const long offset = std::stol(match[10]) * 3600 + std::stol(match[11]) * 60;
    seconds -= match[9] == "+" ? offset : -offset;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{}Z", buffer, match[7].str());
}

} // namespace

ApiResult<void> ApiServer::checkFields(Call& call, json& object) const {
  if (auto decodeError = checkDecodable(call.type, object))
    return tl::unexpected(*decodeError);
  // A MicroTime field decoded and re-encoded in UTC; a null one is dropped.
  const auto microTime = [&](json& parent, const char* field,
                             const std::string& goField) -> ApiResult<void> {
    if (!parent.is_object() || !parent.contains(field))
      return {};
    json& value = parent[field];
    if (value.is_null()) {
      parent.erase(field);
      return {};
    }
    auto normalized = value.is_string()
                          ? normalizedMicroTime(value.get<std::string>())
                          : tl::unexpected(std::string(
                                "json: cannot unmarshal " + std::string(value.type_name()) +
                                " into Go struct field " + goField + " of type string"));
    if (!normalized)
      return tl::unexpected(badRequest(cannotBeHandled(call.type, normalized.error())));
    value = *normalized;
    return {};
  };
  if (call.type.kind == "Lease" && object.contains("spec") && object["spec"].is_object()) {
    for (const char* field : {"acquireTime", "renewTime"}) {
      if (auto done = microTime(object["spec"], field, std::string("LeaseSpec.spec.") + field);
          !done)
        return done;
    }
  }
  // events.k8s.io/v1 eventTime and series.lastObservedTime are MicroTimes
  // (staging/src/k8s.io/api/events/v1/types.go).
  if (isEventsV1(call.type)) {
    if (auto done = microTime(object, "eventTime", "Event.eventTime"); !done)
      return done;
    if (object.contains("series")) {
      if (auto done = microTime(object["series"], "lastObservedTime",
                                "EventSeries.series.lastObservedTime");
          !done)
        return done;
    }
  }
  std::vector<std::string> unknown;
  if (call.type.custom)
    defaultAndPrune(call.type.schema, object, unknown);
  else
    unknown = unknownBuiltinFields(call.type, object);
  if (unknown.empty())
    return {};
  const auto found = call.query.find("fieldValidation");
  const std::string policy = found == call.query.end() ? "Warn" : found->second;
  if (policy != "Strict" && policy != "Warn" && policy != "Ignore") {
    return tl::unexpected(badRequest("fieldValidation parameter unsupported: " + policy));
  }
  if (policy == "Strict") {
    std::string list;
    for (const auto& field : unknown)
      list += (list.empty() ? "" : ", ") + fmt::format("unknown field \"{}\"", field);
    return tl::unexpected(badRequest(cannotBeHandled(call.type, "strict decoding error: " + list)));
  }
  if (policy == "Warn") {
    for (const auto& field : unknown)
      call.warnings.emplace_back("Warning",
                                 fmt::format("299 - \"unknown field \\\"{}\\\"\"", field));
  }
  if (!call.type.custom) {
    for (const auto& field : unknown) {
      if (field.starts_with("metadata."))
        object["metadata"].erase(field.substr(9));
      else
        object.erase(field);
    }
  }
  return {};
}

ApiResult<void> ApiServer::checkEscalation(const Call& call, const json& object,
                                           const RbacSource& rbac) const {
  const ResourceType& type = call.type;
  if (type.group != "rbac.authorization.k8s.io" || isSuperuser(call.request.user))
    return {};
  const std::string ns = object["metadata"].value("namespace", "");
  const std::string name = object["metadata"].value("name", "");
  json rules;
  if (type.kind == "Role" || type.kind == "ClusterRole") {
    RequestAttributes escalate{
        call.request.user, "escalate", true, type.group, type.plural, "", name, ns, ""};
    if (authorize(rbac, escalate))
      return {};
    rules = object.value("rules", json::array());
  } else {
    const json roleRef = object.value("roleRef", json::object());
    const std::string roleKind = roleRef.value("kind", "");
    const std::string roleName = roleRef.value("name", "");
    RequestAttributes bind{call.request.user,
                           "bind",
                           true,
                           type.group,
                           roleKind == "Role" ? "roles" : "clusterroles",
                           "",
                           roleName,
                           roleKind == "Role" ? ns : "",
                           ""};
    if (authorize(rbac, bind) || (type.kind == "RoleBinding" && authorize(rbac, [&] {
                                    auto inNamespace = bind;
                                    inNamespace.namespaceName = ns;
                                    return inNamespace;
                                  }())))
      return {};
    const auto role = roleKind == "Role"
                          ? rbac.get("rbac.authorization.k8s.io/roles", objectKey(ns, roleName))
                          : rbac.get("rbac.authorization.k8s.io/clusterroles", roleName);
    if (!role) {
      return tl::unexpected(notFound(roleKind == "Role" ? "roles.rbac.authorization.k8s.io"
                                                        : "clusterroles.rbac.authorization.k8s.io",
                                     roleName));
    }
    rules = role->value("rules", json::array());
  }
  const auto missing = rulesNotHeld(rbac, call.request.user, rules, ns);
  if (missing.empty())
    return {};
  std::string groups;
  for (const auto& group : call.request.user.groups)
    groups += (groups.empty() ? "" : " ") + goQuote(group);
  std::string listed;
  for (const auto& rule : missing)
    listed += "\n" + describeRule(rule);
  ApiError error = forbidden(fmt::format(
      "{} \"{}\" is forbidden: user \"{}\" (groups=[{}]) is attempting to grant RBAC permissions "
      "not currently held:{}",
      type.qualifiedResource(), name, call.request.user.name, groups, listed));
  error.status["details"] = {{"name", name}, {"group", type.group}, {"kind", type.plural}};
  return tl::unexpected(error);
}

ApiResult<void> ApiServer::validate(const Call& call, const json& object, const json& old,
                                    const RbacSource& rbac) const {
  if (auto escalation = checkEscalation(call, object, rbac); !escalation)
    return escalation;
  std::vector<Cause> causes = validateObject(call.type, object, old);
  if (call.type.custom) {
    auto schemaCauses = validateAgainstSchema(call.type.schema, object);
    causes.insert(causes.end(), schemaCauses.begin(), schemaCauses.end());
  }
  if (call.type.kind == "CustomResourceDefinition") {
    auto crdCauses = validateCrd(object);
    causes.insert(causes.end(), crdCauses.begin(), crdCauses.end());
  }
  if (causes.empty())
    return {};
  const std::string name = object["metadata"].value("name", "");
  return tl::unexpected(
      invalid(call.type.qualifiedKind(), name, call.type.group, call.type.kind, causes));
}

} // namespace harborrobot::kubesim

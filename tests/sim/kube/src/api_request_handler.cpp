// Routes of the simulated kube-apiserver. Error bodies are metav1.Status objects
// in the apiserver's exact shape, because kubectl prints their messages verbatim.
#include "api_request_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

#include <iterator>
#include <sstream>
#include <vector>

namespace harborrobot::kubesim {
namespace {

using nlohmann::json;
using Poco::Net::HTTPResponse;

void sendJson(Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const json& body) {
  const std::string text = body.dump();
  response.setStatus(status);
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

json status(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

// kube-apiserver v1.32 answers /version like this; minor "32" makes the gcloud
// kubectl dispatcher run its built-in v1.32 client (kubectl-traces.md section 0).
json versionInfo() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.4"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2026-01-01T00:00:00Z"},
          {"goVersion", "go1.23.8"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json coreApiVersions() {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

json apiGroupList() {
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", json::array()}};
}

// The core/v1 resources the simulator stores; part 2 extends this table.
const std::vector<ResourceInfo>& coreResources() {
  static const std::vector<ResourceInfo> resources = {
      {"namespaces", "namespace", "Namespace", false, {"ns"}},
      {"serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}},
      {"configmaps", "configmap", "ConfigMap", true, {"cm"}},
      {"secrets", "secret", "Secret", true, {}},
  };
  return resources;
}

const ResourceInfo* findResource(const std::string& name) {
  for (const auto& resource : coreResources()) {
    if (resource.name == name)
      return &resource;
  }
  return nullptr;
}

json coreV1Resources() {
  json list = json::array();
  for (const auto& resource : coreResources()) {
    list.push_back({{"name", resource.name},
                    {"singularName", resource.singular},
                    {"namespaced", resource.namespaced},
                    {"kind", resource.kind},
                    {"shortNames", resource.shortNames},
                    {"verbs", {"create", "delete", "get", "list"}}});
  }
  return {{"kind", "APIResourceList"}, {"groupVersion", "v1"}, {"resources", list}};
}

json notFound(const std::string& resource, const std::string& name) {
  json body = status(404, "NotFound", resource + " \"" + name + "\" not found");
  body["details"] = {{"name", name}, {"kind", resource}};
  return body;
}

// Splits /api/v1/... into namespace, resource and name; false for other paths.
bool parseCorePath(const std::string& path, std::string& namespaceName, std::string& resource,
                   std::string& name) {
  const std::string prefix = "/api/v1/";
  if (!path.starts_with(prefix))
    return false;
  std::vector<std::string> parts;
  std::istringstream rest(path.substr(prefix.size()));
  for (std::string part; std::getline(rest, part, '/');)
    parts.push_back(part);
  if (parts.size() >= 3 && parts[0] == "namespaces") {
    namespaceName = parts[1];
    resource = parts[2];
    name = parts.size() > 3 ? parts[3] : "";
    return parts.size() <= 4;
  }
  resource = parts.empty() ? "" : parts[0];
  name = parts.size() > 1 ? parts[1] : "";
  return !parts.empty() && parts.size() <= 2;
}

// Fills what the apiserver defaults on a new Namespace.
json admitNamespace(json object) {
  object["apiVersion"] = "v1";
  object["kind"] = "Namespace";
  object["spec"] = {{"finalizers", {"kubernetes"}}};
  object["status"] = {{"phase", "Active"}};
  object["metadata"].erase("namespace");
  return object;
}

} // namespace

bool ApiRequestHandler::authenticated(Poco::Net::HTTPServerRequest& request) const {
  const std::string header = request.get("Authorization", "");
  if (header == "Bearer " + token_)
    return true;
  // A client certificate reaches here only after TLS verified it against our CA.
  auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
  Poco::Net::SecureStreamSocket socket(impl.socket());
  return socket.havePeerCertificate();
}

void ApiRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                      Poco::Net::HTTPServerResponse& response) {
  // Read the whole body before answering: bytes left unread on a keep-alive
  // connection would be parsed as the next request (kubectl's DELETE carries a body).
  body_.assign(std::istreambuf_iterator<char>(request.stream()), {});
  if (!authenticated(request)) {
    sendJson(response, HTTPResponse::HTTP_UNAUTHORIZED,
             status(401, "Unauthorized", "Unauthorized"));
    return;
  }
  const std::string path = Poco::URI(request.getURI()).getPath();
  if (request.getMethod() == "GET" && path == "/version") {
    sendJson(response, HTTPResponse::HTTP_OK, versionInfo());
  } else if (request.getMethod() == "GET" && path == "/api") {
    sendJson(response, HTTPResponse::HTTP_OK, coreApiVersions());
  } else if (request.getMethod() == "GET" && path == "/apis") {
    sendJson(response, HTTPResponse::HTTP_OK, apiGroupList());
  } else if (request.getMethod() == "GET" && path == "/api/v1") {
    sendJson(response, HTTPResponse::HTTP_OK, coreV1Resources());
  } else if (std::string ns, resource, name;
             parseCorePath(path, ns, resource, name) && findResource(resource) != nullptr) {
    serveResource(request, response, *findResource(resource), ns, name);
  } else {
    sendJson(response, HTTPResponse::HTTP_NOT_FOUND,
             status(404, "NotFound", "the server could not find the requested resource"));
  }
}

void ApiRequestHandler::serveResource(Poco::Net::HTTPServerRequest& request,
                                      Poco::Net::HTTPServerResponse& response,
                                      const ResourceInfo& resource, const std::string& ns,
                                      const std::string& name) {
  const std::string& method = request.getMethod();
  if (method == "GET" && !name.empty()) {
    if (auto found = store_.get(resource.name, objectKey(ns, name))) {
      sendJson(response, HTTPResponse::HTTP_OK, *found);
    } else {
      sendJson(response, HTTPResponse::HTTP_NOT_FOUND, notFound(resource.name, name));
    }
  } else if (method == "GET") {
    json items = json::array();
    for (auto& object : store_.list(resource.name)) {
      if (ns.empty() || object["metadata"].value("namespace", "") == ns) {
        items.push_back(std::move(object));
      }
    }
    sendJson(response, HTTPResponse::HTTP_OK,
             {{"kind", resource.kind + "List"},
              {"apiVersion", "v1"},
              {"metadata", {{"resourceVersion", store_.currentResourceVersion()}}},
              {"items", items}});
  } else if (method == "POST" && name.empty() && ns.empty() == !resource.namespaced) {
    json object = json::parse(body_, nullptr, false);
    if (!object.is_object() || !object["metadata"].is_object() ||
        !object["metadata"]["name"].is_string()) {
      sendJson(response, HTTPResponse::HTTP_BAD_REQUEST,
               status(400, "BadRequest", "the body of the request was in an unknown format"));
      return;
    }
    if (resource.namespaced && !store_.get("namespaces", ns)) {
      sendJson(response, HTTPResponse::HTTP_NOT_FOUND, notFound("namespaces", ns));
      return;
    }
    const std::string newName = object["metadata"]["name"];
    object["apiVersion"] = "v1";
    object["kind"] = resource.kind;
    if (resource.namespaced)
      object["metadata"]["namespace"] = ns;
    if (resource.name == "namespaces")
      object = admitNamespace(std::move(object));
    if (auto created = store_.create(resource.name, std::move(object))) {
      if (resource.name == "namespaces")
        populateNamespace(newName);
      sendJson(response, HTTPResponse::HTTP_CREATED, *created);
    } else {
      json body =
          status(409, "AlreadyExists", resource.name + " \"" + newName + "\" already exists");
      body["details"] = {{"name", newName}, {"kind", resource.name}};
      sendJson(response, HTTPResponse::HTTP_CONFLICT, body);
    }
  } else if (method == "DELETE" && !name.empty()) {
    // Simplification until finalizers land (part 2): deletion is immediate and a
    // namespace takes its contents with it.
    if (auto removed = store_.remove(resource.name, objectKey(ns, name))) {
      if (resource.name == "namespaces")
        store_.removeNamespaceContents(name);
      sendJson(response, HTTPResponse::HTTP_OK, *removed);
    } else {
      sendJson(response, HTTPResponse::HTTP_NOT_FOUND, notFound(resource.name, name));
    }
  } else {
    sendJson(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
             status(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource"));
  }
}

// The controllers of a real cluster add these to every new namespace.
void ApiRequestHandler::populateNamespace(const std::string& ns) {
  store_.create("serviceaccounts", {{"apiVersion", "v1"},
                                    {"kind", "ServiceAccount"},
                                    {"metadata", {{"name", "default"}, {"namespace", ns}}}});
  store_.create("configmaps", {{"apiVersion", "v1"},
                               {"kind", "ConfigMap"},
                               {"metadata", {{"name", "kube-root-ca.crt"}, {"namespace", ns}}},
                               {"data", {{"ca.crt", caPem_}}}});
}

} // namespace harborrobot::kubesim

// Routes of the simulated kube-apiserver. Error bodies are metav1.Status objects
// in the apiserver's exact shape, because kubectl prints their messages verbatim.
#include "api_request_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

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

json coreV1Resources() {
  return {{"kind", "APIResourceList"},
          {"groupVersion", "v1"},
          {"resources",
           {{{"name", "namespaces"},
             {"singularName", "namespace"},
             {"namespaced", false},
             {"kind", "Namespace"},
             {"shortNames", {"ns"}},
             {"verbs", {"create", "get", "list"}}}}}};
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
  } else if (path == "/api/v1/namespaces") {
    serveNamespaces(request, response, "");
  } else if (path.starts_with("/api/v1/namespaces/") &&
             path.find('/', std::string("/api/v1/namespaces/").size()) == std::string::npos) {
    serveNamespaces(request, response, path.substr(std::string("/api/v1/namespaces/").size()));
  } else {
    sendJson(response, HTTPResponse::HTTP_NOT_FOUND,
             status(404, "NotFound", "the server could not find the requested resource"));
  }
}

void ApiRequestHandler::serveNamespaces(Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response,
                                        const std::string& name) {
  const std::string& method = request.getMethod();
  if (method == "GET" && !name.empty()) {
    if (auto found = store_.get("namespaces", name)) {
      sendJson(response, HTTPResponse::HTTP_OK, *found);
    } else {
      json body = status(404, "NotFound", "namespaces \"" + name + "\" not found");
      body["details"] = {{"name", name}, {"kind", "namespaces"}};
      sendJson(response, HTTPResponse::HTTP_NOT_FOUND, body);
    }
  } else if (method == "GET") {
    json items = json::array();
    for (auto& object : store_.list("namespaces"))
      items.push_back(std::move(object));
    sendJson(response, HTTPResponse::HTTP_OK,
             {{"kind", "NamespaceList"},
              {"apiVersion", "v1"},
              {"metadata", {{"resourceVersion", store_.currentResourceVersion()}}},
              {"items", items}});
  } else if (method == "POST" && name.empty()) {
    json object = json::parse(request.stream(), nullptr, false);
    if (!object.is_object() || !object["metadata"].is_object() ||
        !object["metadata"]["name"].is_string()) {
      sendJson(response, HTTPResponse::HTTP_BAD_REQUEST,
               status(400, "BadRequest", "the body of the request was in an unknown format"));
      return;
    }
    const std::string newName = object["metadata"]["name"];
    if (auto created = store_.create("namespaces", admitNamespace(std::move(object)))) {
      sendJson(response, HTTPResponse::HTTP_CREATED, *created);
    } else {
      json body = status(409, "AlreadyExists", "namespaces \"" + newName + "\" already exists");
      body["details"] = {{"name", newName}, {"kind", "namespaces"}};
      sendJson(response, HTTPResponse::HTTP_CONFLICT, body);
    }
  } else {
    sendJson(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
             status(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource"));
  }
}

} // namespace harborrobot::kubesim

// Answers one kube-apiserver request: authentication first (bearer token or a
// client certificate signed by the simulator's CA), then the routes it knows.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>
#include <vector>

#include "object_store.h"

namespace harborrobot::kubesim {

// One REST resource the simulator serves (its plural name is the URL segment).
struct ResourceInfo {
  std::string name;
  std::string singular;
  std::string kind;
  bool namespaced;
  std::vector<std::string> shortNames;
};

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  ApiRequestHandler(std::string token, std::string caPem, ObjectStore& store)
      : token_(std::move(token)), caPem_(std::move(caPem)), store_(store) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  bool authenticated(Poco::Net::HTTPServerRequest& request) const;
  void serveResource(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ResourceInfo& resource, const std::string& ns, const std::string& name);
  void populateNamespace(const std::string& ns);
  std::string token_;
  std::string caPem_;
  ObjectStore& store_;
  std::string body_;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  // The store outlives the server; main owns both.
  ApiRequestHandlerFactory(std::string token, std::string caPem, ObjectStore& store)
      : token_(std::move(token)), caPem_(std::move(caPem)), store_(store) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    // Poco's HTTPServer takes ownership of the returned handler.
    return new ApiRequestHandler(token_, caPem_, store_);
  }

private:
  std::string token_;
  std::string caPem_;
  ObjectStore& store_;
};

} // namespace harborrobot::kubesim

// Answers one kube-apiserver request: authentication first (bearer token or a
// client certificate signed by the simulator's CA), then the routes it knows.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>

#include "object_store.h"

namespace harborrobot::kubesim {

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  ApiRequestHandler(std::string token, ObjectStore& store)
      : token_(std::move(token)), store_(store) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  bool authenticated(Poco::Net::HTTPServerRequest& request) const;
  void serveNamespaces(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const std::string& name);
  std::string token_;
  ObjectStore& store_;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  // The store outlives the server; main owns both.
  ApiRequestHandlerFactory(std::string token, ObjectStore& store)
      : token_(std::move(token)), store_(store) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    // Poco's HTTPServer takes ownership of the returned handler.
    return new ApiRequestHandler(token_, store_);
  }

private:
  std::string token_;
  ObjectStore& store_;
};

} // namespace harborrobot::kubesim

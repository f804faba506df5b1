// Answers one kube-apiserver request: authentication first (bearer token or a
// client certificate signed by the simulator's CA), then the routes it knows.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>

namespace harborrobot::kubesim {

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit ApiRequestHandler(std::string token) : token_(std::move(token)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  bool authenticated(Poco::Net::HTTPServerRequest& request) const;
  std::string token_;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit ApiRequestHandlerFactory(std::string token) : token_(std::move(token)) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    // Poco's HTTPServer takes ownership of the returned handler.
    return new ApiRequestHandler(token_);
  }

private:
  std::string token_;
};

} // namespace harborrobot::kubesim

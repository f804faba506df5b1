// The Poco side of the simulator: authenticates the caller, reads the request
// and hands it to ApiServer, streaming watch responses chunk by chunk.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <optional>
#include <string>

#include "api_server.h"

namespace harborrobot::kubesim {

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  ApiRequestHandler(const std::string& adminToken, ApiServer& server)
      : adminToken_(adminToken), server_(server) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  std::optional<UserInfo> authenticate(Poco::Net::HTTPServerRequest& request) const;
  const std::string& adminToken_;
  ApiServer& server_;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  ApiRequestHandlerFactory(std::string adminToken, ApiServer& server)
      : adminToken_(std::move(adminToken)), server_(server) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest& /*request*/) override {
    // Poco's interface hands ownership of the raw pointer to the server.
    return new ApiRequestHandler(adminToken_, server_);
  }

private:
  std::string adminToken_;
  ApiServer& server_;
};

} // namespace harborrobot::kubesim

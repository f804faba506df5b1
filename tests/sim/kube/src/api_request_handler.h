// The Poco side of the simulator: authenticates the caller, reads the request
// and hands it to ApiServer, streaming watch responses chunk by chunk.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <optional>
#include <string>

#include "api_server.h"

namespace harborrobot::kubesim {

// Requests per authenticated user and method, so benchmarks can measure what a
// client costs the API server (`GET /debug/requests`, administrators only).
class RequestCounter {
public:
  void count(const std::string& user, const std::string& method);
  std::string json() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::int64_t>> counts_;
};

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  ApiRequestHandler(const std::string& adminToken, ApiServer& server, RequestCounter& counter)
      : adminToken_(adminToken), server_(server), counter_(counter) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  std::optional<UserInfo> authenticate(Poco::Net::HTTPServerRequest& request) const;
  const std::string& adminToken_;
  ApiServer& server_;
  RequestCounter& counter_;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  ApiRequestHandlerFactory(std::string adminToken, ApiServer& server)
      : adminToken_(std::move(adminToken)), server_(server) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest& /*request*/) override {
    // Poco's interface hands ownership of the raw pointer to the server.
    return new ApiRequestHandler(adminToken_, server_, counter_);
  }

private:
  std::string adminToken_;
  ApiServer& server_;
  RequestCounter counter_;
};

} // namespace harborrobot::kubesim

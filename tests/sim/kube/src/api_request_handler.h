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

// Requests per authenticated user, by HTTP method and by Kubernetes verb, so
// benchmarks can measure what a client costs the API server (administrators
// only): `GET /debug/requests` answers {user: {method: count}} as it always
// has; `GET /debug/requests?by=verb` answers {user: {verb: count}} in the same
// shape (get, list, watch, create, update, patch, delete, deletecollection, or
// the lowercase method of a non-resource request), so that readers of the
// first, which sum every user's figures, keep working. The user is the one
// authenticated, before impersonation; requests refused 401 are not counted.
class RequestCounter {
public:
  void count(const std::string& user, const std::string& method, const std::string& verb);
  // by is "method" or "verb"; nullopt for anything else.
  std::optional<std::string> json(const std::string& by) const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::int64_t>> byMethod_;
  std::map<std::string, std::map<std::string, std::int64_t>> byVerb_;
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

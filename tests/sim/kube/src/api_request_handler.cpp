#include "api_request_handler.h"

#include <algorithm>

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <iostream>
#include <iterator>

namespace harborrobot::kubesim {
namespace {

// The apiserver's default request body limit (3 MiB) with headroom for JSON
// escaping, as the real one applies to writes.
constexpr std::size_t kMaxBodyBytes = 3 * 1024 * 1024 + 512 * 1024;

class PocoResponseWriter : public ResponseWriter {
public:
  explicit PocoResponseWriter(Poco::Net::HTTPServerResponse& response) : response_(response) {}

  void send(int status, const std::string& contentType, const std::string& body,
            const Headers& headers) override {
    response_.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response_.setContentType(contentType);
    for (const auto& [name, value] : headers)
      response_.add(name, value);
    response_.setContentLength(static_cast<std::streamsize>(body.size()));
    response_.send() << body;
  }

  bool startStream(int status, const std::string& contentType) override {
    response_.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response_.setContentType(contentType);
    response_.setChunkedTransferEncoding(true);
    stream_ = &response_.send();
    stream_->flush();
    return stream_->good();
  }

  bool writeChunk(const std::string& data) override {
    if (stream_ == nullptr)
      return false;
    try {
      *stream_ << data;
      stream_->flush();
    } catch (const std::exception&) {
      return false;
    }
    return stream_->good();
  }

private:
  Poco::Net::HTTPServerResponse& response_;
  std::ostream* stream_ = nullptr; // owned by response_
};

} // namespace

std::optional<UserInfo>
ApiRequestHandler::authenticate(Poco::Net::HTTPServerRequest& request) const {
  const std::string header = request.get("Authorization", "");
  if (!adminToken_.empty() && header == "Bearer " + adminToken_)
    return UserInfo{"kube-sim-admin", {"system:masters", "system:authenticated"}, ""};
  if (header.starts_with("Bearer "))
    return server_.authenticateBearer(header.substr(7));
  // A client certificate reaches here only after TLS verified it against our
  // CA: CN is the user name, each O a group.
  auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
  Poco::Net::SecureStreamSocket socket(impl.socket());
  if (!header.empty() || !socket.havePeerCertificate())
    return std::nullopt;
  const Poco::Net::X509Certificate certificate = socket.peerCertificate();
  UserInfo user{certificate.commonName(), {}, ""};
  const std::string organization =
      certificate.subjectName(Poco::Crypto::X509Certificate::NID_ORGANIZATION_NAME);
  if (!organization.empty())
    user.groups.push_back(organization);
  user.groups.push_back("system:authenticated");
  return user;
}

void RequestCounter::count(const std::string& user, const std::string& method,
                           const std::string& verb) {
  std::lock_guard lock(mutex_);
  ++byMethod_[user][method];
  ++byVerb_[user][verb];
}

std::optional<std::string> RequestCounter::json(const std::string& by) const {
  std::lock_guard lock(mutex_);
  if (by == "method")
    return nlohmann::json(byMethod_).dump();
  if (by == "verb")
    return nlohmann::json(byVerb_).dump();
  return std::nullopt;
}

void ApiRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                      Poco::Net::HTTPServerResponse& response) {
  PocoResponseWriter writer(response);
  try {
    // Read the whole body first: bytes left unread on a keep-alive connection
    // would be parsed as the next request (kubectl's DELETE carries a body).
    ApiRequest apiRequest;
    std::istream& body = request.stream();
    char buffer[16384];
    while (body.read(buffer, sizeof(buffer)) || body.gcount() > 0) {
      apiRequest.body.append(buffer, static_cast<std::size_t>(body.gcount()));
      if (apiRequest.body.size() > kMaxBodyBytes) {
        response.setKeepAlive(false);
        writer.send(413, "application/json",
                    toJsonText(statusError(413, "RequestEntityTooLarge",
                                           "the request body is larger than the server accepts")
                                   .status),
                    {});
        return;
      }
    }
    auto user = authenticate(request);
    if (!user) {
      const ApiError error = statusError(401, "Unauthorized", "Unauthorized");
      writer.send(401, "application/json", toJsonText(error.status), {});
      return;
    }
    const Poco::URI uri(request.getURI());
    if (uri.getPath() == "/debug/requests" && std::find(user->groups.begin(), user->groups.end(),
                                                        "system:masters") != user->groups.end()) {
      const auto query = parseQuery(uri.getRawQuery());
      const auto by = query.find("by");
      if (const auto counts = counter_.json(by == query.end() ? "method" : by->second)) {
        writer.send(200, "application/json", *counts, {});
      } else {
        const ApiError error = badRequest("by must be \"method\" (the default) or \"verb\"");
        writer.send(error.code, "application/json", toJsonText(error.status), {});
      }
      return;
    }
    apiRequest.method = request.getMethod();
    apiRequest.path = uri.getPath();
    apiRequest.rawQuery = uri.getRawQuery();
    apiRequest.accept = request.get("Accept", "");
    apiRequest.contentType = request.getContentType();
    apiRequest.user = std::move(*user);
    counter_.count(apiRequest.user.name, apiRequest.method, requestVerb(apiRequest));
    for (const auto& [name, value] : request) {
      const std::string lower = Poco::toLower(name);
      if (lower == "impersonate-user")
        apiRequest.impersonateUser = value;
      else if (lower == "impersonate-group")
        apiRequest.impersonateGroups.push_back(value);
      else if (lower == "impersonate-uid")
        apiRequest.impersonateUid = value;
      else if (lower.starts_with("impersonate-extra-"))
        apiRequest.impersonateExtras.emplace_back(lower.substr(18), value);
    }
    server_.handle(apiRequest, writer);
  } catch (const std::exception& error) {
    // A bug must answer 500 and leave the server running, as the apiserver's
    // panic recovery does.
    std::cerr << "internal error on " << request.getMethod() << " " << request.getURI() << ": "
              << error.what() << std::endl;
    if (!response.sent()) {
      writer.send(500, "application/json",
                  toJsonText(statusError(500, "InternalError",
                                         "Internal error occurred: " + std::string(error.what()))
                                 .status),
                  {});
    }
  }
}

} // namespace harborrobot::kubesim

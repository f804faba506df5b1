#include "http_frontend.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <thread>

#include <fmt/format.h>

#include "http_text.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Headers that belong to one connection, not to the message.
bool hopByHop(const std::string& lowerName) {
  static constexpr std::array kNames = {"connection",
                                        "keep-alive",
                                        "transfer-encoding",
                                        "te",
                                        "upgrade",
                                        "proxy-authorization",
                                        "expect",
                                        "content-length",
                                        "host",
                                        "authorization",
                                        "date",
                                        "server"};
  return std::find(kNames.begin(), kNames.end(), lowerName) != kNames.end();
}

// What a client sees from Harbor's front proxy (nginx) or core under stress.
HarborResponse faultAnswer(int status) {
  if (status == 429) {
    HarborResponse response =
        jsonResponse(429, HarborError{429, "TOO_MANY_REQUEST", "too many requests"}.body());
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  if (status == 500)
    return jsonResponse(500, HarborError{500, "UNKNOWN", "internal server error"}.body());
  HarborResponse response;
  response.status = status;
  response.contentType = "text/html";
  const char* reason = status == 502 ? "Bad Gateway" : "Service Temporarily Unavailable";
  response.body = fmt::format("<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n"
                              "<center><h1>{0} {1}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                              "</body>\r\n</html>\r\n",
                              status, reason);
  return response;
}

// Drops the TCP connection with a reset and no TLS close_notify, as a
// crashed server or a middlebox does.
void resetConnection(Poco::Net::HTTPServerRequest& request) {
  auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  socket.setLinger(true, 0);
  if (auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl()))
    secure->abort();
  else
    socket.close();
}

class FrontendHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit FrontendHandler(const Frontend& frontend) : frontend_(frontend) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const auto start = std::chrono::steady_clock::now();
    HarborRequest call;
    // The whole body is read first so a keep-alive connection stays in sync.
    call.body.assign(std::istreambuf_iterator<char>(request.stream()), {});
    const Poco::URI uri(request.getURI());
    call.method = request.getMethod();
    call.path = uri.getPath();
    call.rawQuery = uri.getRawQuery();
    call.authorization = request.get("Authorization", "");
    for (const auto& [name, value] : request)
      call.headers[lowerCase(name)] = value;
    LoggedRequest entry;
    entry.method = call.method;
    entry.path = call.path;
    entry.query = call.rawQuery;
    describeRequest(entry, call.headers, call.body);
    const HarborResponse answer = answerWithFaults(request, call, entry);
    if (entry.fault == "reset" || entry.fault == "hang") {
      resetConnection(request);
    } else {
      send(call, answer, response);
      entry.status = answer.status;
      entry.caller = answer.caller;
    }
    entry.latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    frontend_.log.append(std::move(entry));
  }

private:
  HarborResponse answerWithFaults(Poco::Net::HTTPServerRequest& request, const HarborRequest& call,
                                  LoggedRequest& entry) {
    if (call.path.starts_with("/_sim/"))
      return admin(call);
    const FaultDecision fault = frontend_.faults.decide(call.path);
    if (fault.latency.count() > 0)
      std::this_thread::sleep_for(fault.latency);
    switch (fault.kind) {
    case FaultDecision::Kind::kHang:
      // Held without an answer until the window closes, then dropped.
      while (frontend_.faults.hanging())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      entry.fault = "hang";
      return {};
    case FaultDecision::Kind::kReset:
      entry.fault = "reset";
      return {};
    case FaultDecision::Kind::kStatus:
      entry.fault = "status";
      return faultAnswer(fault.status);
    case FaultDecision::Kind::kNone:
      break;
    }
    if (call.path == "/v2" || call.path.starts_with("/v2/"))
      return registry(request, call);
    return frontend_.api.handle(call);
  }

  HarborResponse registry(Poco::Net::HTTPServerRequest& request, const HarborRequest& call) {
    RegistryGate gate = frontend_.api.authorizeRegistry(call);
    if (gate.refusal)
      return std::move(*gate.refusal);
    if (frontend_.registry == nullptr)
      return faultAnswer(503);
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [name, value] : request) {
      if (!hopByHop(lowerCase(name)))
        headers.emplace_back(name, value);
    }
    auto upstream = frontend_.registry->forward(call.method, request.getURI(), headers, call.body);
    if (!upstream)
      return faultAnswer(502);
    if (gate.manifestPush && upstream->status == 201)
      frontend_.api.recordRepository(gate.project, gate.repository);
    HarborResponse answer;
    answer.status = upstream->status;
    answer.contentType.clear();
    answer.caller = gate.caller;
    answer.body = std::move(upstream->body);
    for (auto& [name, value] : upstream->headers) {
      const std::string lower = lowerCase(name);
      if (lower == "content-length" && call.method == "HEAD")
        answer.headContentLength = std::stoll(value);
      else if (!hopByHop(lower))
        answer.headers.emplace_back(std::move(name), std::move(value));
    }
    return answer;
  }

  HarborResponse admin(const HarborRequest& call) {
    if (!frontend_.api.isAdmin(call.authorization))
      return jsonResponse(401, HarborError{401, "UNAUTHORIZED", "unauthorized"}.body());
    if (call.path == "/_sim/faults") {
      if (call.method == "GET")
        return jsonResponse(200, frontend_.faults.describe());
      if (call.method == "DELETE") {
        frontend_.faults.clear();
        return jsonResponse(200, frontend_.faults.describe());
      }
      if (call.method == "PUT" || call.method == "POST") {
        const json plan = json::parse(call.body, nullptr, false);
        if (auto error = frontend_.faults.configure(plan))
          return jsonResponse(400, HarborError{400, "BAD_REQUEST", *error}.body());
        return jsonResponse(200, frontend_.faults.describe());
      }
    } else if (call.path == "/_sim/requests") {
      if (call.method == "GET") {
        return jsonResponse(200, frontend_.log.list(queryValue(call.rawQuery, "path")));
      }
      if (call.method == "DELETE") {
        frontend_.log.clear();
        return jsonResponse(200, json::object());
      }
    } else if (call.path == "/_sim/snapshot" && call.method == "POST") {
      if (!frontend_.saveSnapshot)
        return jsonResponse(
            404, HarborError{404, "NOT_FOUND", "the simulator runs without --snapshot"}.body());
      if (auto error = frontend_.saveSnapshot())
        return jsonResponse(500, HarborError{500, "UNKNOWN", *error}.body());
      return jsonResponse(200, json::object());
    } else {
      return jsonResponse(404, HarborError{404, "NOT_FOUND", "resource not found"}.body());
    }
    return jsonResponse(405, HarborError{405, "METHOD_NOT_ALLOWED", "method not allowed"}.body());
  }

  static void send(const HarborRequest& call, const HarborResponse& answer,
                   Poco::Net::HTTPServerResponse& response) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    if (!answer.body.empty() && !answer.contentType.empty())
      response.setContentType(answer.contentType);
    for (const auto& [name, value] : answer.headers)
      response.add(name, value);
    if (call.method == "HEAD" && answer.headContentLength) {
      response.setContentLength64(*answer.headContentLength);
      response.send();
      return;
    }
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
  }

  const Frontend& frontend_;
};

} // namespace

Poco::Net::HTTPRequestHandler*
FrontendHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new FrontendHandler(frontend_); // Poco takes ownership
}

} // namespace harborrobot::harborsim

// Poco::Net behind http::Client. Sessions are pooled per scheme, host and port so
// connections are reused; each call borrows one exclusively. TLS comes from
// tls_socket.h: OpenSSL refuses a wrong host during the handshake, before any
// header is sent.
#include "harborrobot/http/https_client.h"

#include "harborrobot/http/tls_socket.h"

#include <map>
#include <mutex>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <fmt/format.h>

namespace harborrobot::http {

namespace {

struct Target {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string pathAndQuery;

  std::string key() const { return fmt::format("{}://{}:{}", tls ? "https" : "http", host, port); }
};

Result<Target> parseUrl(const std::string& url) {
  Target target;
  std::string_view rest(url);
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    target.tls = false;
    target.port = 80;
    rest.remove_prefix(7);
  } else {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("URL {:?} is not http:// or https://", url.substr(0, 64)));
  }
  const auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  target.pathAndQuery = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (target.pathAndQuery.front() == '?') {
    target.pathAndQuery.insert(0, "/");
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (authority.starts_with("[")) { // [v6]:port
    const auto close = authority.find(']');
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (authority.starts_with(":")) {
      authority.remove_prefix(1);
    } else {
      authority = {};
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    authority.remove_prefix(colon + 1);
  } else {
    authority = {};
  }
  if (host.empty()) {
    return makeError(ErrorCode::kInvalidArgument, fmt::format("URL {:?} has no host", url));
  }
  target.host = std::string(host);
  if (host.data() != authority.data() && !authority.empty()) {
    try {
      const auto port = std::stoul(std::string(authority));
      if (port == 0 || port > 65535) {
        throw std::out_of_range("port");
      }
      target.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("URL {:?}: port {:?} is not a port", url, authority));
    }
  }
  return target;
}

ErrorCode codeFor(const Poco::Exception& error) {
  if (dynamic_cast<const Poco::TimeoutException*>(&error) != nullptr) {
    return ErrorCode::kDeadlineExceeded;
  }
  // A certificate that does not verify is a setting to fix; a connection reset
  // or closed mid-TLS is an outage like any other, to retry.
  if (const auto* tls = dynamic_cast<const TlsError*>(&error);
      tls != nullptr && tls->certificate()) {
    return ErrorCode::kFailedPrecondition;
  }
  return ErrorCode::kUnavailable;
}

// What a session has read from the socket but not yet handed on (HTTPSession
// keeps it protected): a stream waits with poll(), which costs nothing while
// idle, only when neither this nor OpenSSL holds a byte.
struct Held {
  virtual ~Held() = default;
  virtual int held() const = 0;
};

template <class Base> class Exposed final : public Base, public Held {
public:
  using Base::Base;
  int held() const override { return this->buffered(); }
};

} // namespace

struct HttpsClient::Impl {
  ClientOptions options;
  std::mutex mutex;
  std::shared_ptr<const TlsContext> context; // made on the first TLS connection
  std::multimap<std::string, std::unique_ptr<Poco::Net::HTTPClientSession>> idle;

  Result<std::shared_ptr<const TlsContext>> tlsContext() {
    std::lock_guard lock(mutex);
    if (context == nullptr) {
      auto made = TlsContext::forClient(options.tls);
      if (!made) {
        return makeError(made.error());
      }
      context = std::move(*made);
    }
    return context;
  }

  Result<std::unique_ptr<Poco::Net::HTTPClientSession>> borrow(const Target& target, bool reuse,
                                                               bool& reused) {
    reused = false;
    if (reuse) {
      std::lock_guard lock(mutex);
      if (auto found = idle.find(target.key()); found != idle.end()) {
        auto session = std::move(found->second);
        idle.erase(found);
        reused = true;
        return session;
      }
    }
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (target.tls) {
      auto context = tlsContext();
      if (!context) {
        return makeError(context.error());
      }
      session = std::make_unique<Exposed<TlsClientSession>>(target.host, target.port,
                                                            std::move(*context));
    } else {
      session = std::make_unique<Exposed<Poco::Net::HTTPClientSession>>(target.host, target.port);
    }
    session->setKeepAlive(true);
    return session;
  }

  void giveBack(const Target& target, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::lock_guard lock(mutex);
    if (idle.count(target.key()) < 8) {
      idle.emplace(target.key(), std::move(session));
    }
  }

  Result<Response> perform(const Request& request, const ChunkHandler* onChunk,
                           const std::atomic<bool>* cancel) {
    auto target = parseUrl(request.url);
    if (!target) {
      return makeError(target.error());
    }
    bool reused = false;
    bool answered = false;
    auto result = attempt(*target, request, onChunk, cancel, true, reused, answered);
    // A pooled connection the server closed meanwhile fails before any answer:
    // once more on a fresh one, as curl does.
    if (!result && reused && !answered) {
      result = attempt(*target, request, onChunk, cancel, false, reused, answered);
    }
    return result;
  }

  Result<Response> attempt(const Target& target0, const Request& request,
                           const ChunkHandler* onChunk, const std::atomic<bool>* cancel, bool reuse,
                           bool& reused, bool& answered) {
    const Target* target = &target0;
    // The URL is named without its query, which may carry tokens on some APIs.
    const std::string where = request.url.substr(0, request.url.find('?'));
    auto borrowed = borrow(*target, reuse, reused);
    if (!borrowed) {
      return makeError(borrowed.error().withContext(fmt::format("{} {}", request.method, where)));
    }
    auto session = std::move(*borrowed);
    const auto started = std::chrono::steady_clock::now();
    const bool bounded = request.timeout.count() > 0;
    // A stream wakes about once a second to look at `cancel` and the deadline.
    const auto wait = onChunk != nullptr
                          ? std::chrono::milliseconds(1000)
                          : (bounded ? request.timeout : std::chrono::milliseconds(3600000));
    auto toSpan = [](std::chrono::milliseconds ms) {
      return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
    };
    session->setTimeout(toSpan(options.connectTimeout), toSpan(bounded ? request.timeout : wait),
                        toSpan(wait));
    if (reused && session->connected()) {
      // Poco applies a session's timeouts to its socket when it connects: a
      // pooled connection would keep those of the request that opened it (a
      // list's 30 s under a watch that must wake every second).
      session->socket().setSendTimeout(toSpan(bounded ? request.timeout : wait));
      session->socket().setReceiveTimeout(toSpan(wait));
    }

    Poco::Net::HTTPRequest out(request.method, target->pathAndQuery,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    out.setHost(target->host, target->port);
    out.set("User-Agent", options.userAgent);
    for (const auto& [name, value] : request.headers) {
      out.set(name, value);
    }
    if (request.basicAuth) {
      Poco::Net::HTTPBasicCredentials(request.basicAuth->username,
                                      std::string(request.basicAuth->password.reveal()))
          .authenticate(out);
    }
    const bool withBody = !request.body.empty() || request.method == "POST" ||
                          request.method == "PUT" || request.method == "PATCH";
    if (withBody) {
      out.setContentLength(static_cast<std::streamsize>(request.body.size()));
    }
    Response response;
    bool reusable = true;
    try {
      std::ostream& body = session->sendRequest(out);
      if (withBody) {
        body.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        body.flush();
      }
      Poco::Net::HTTPResponse in;
      std::istream& received = session->receiveResponse(in);
      answered = true;
      response.status = static_cast<int>(in.getStatus());
      for (const auto& [name, value] : in) {
        response.headers[name] = value;
      }
      if (request.method != "HEAD") {
        auto* buffer = received.rdbuf();
        char chunk[16384];
        while (true) {
          if (cancel != nullptr && cancel->load()) {
            reusable = false;
            break;
          }
          if (bounded && std::chrono::steady_clock::now() - started > request.timeout) {
            throw Poco::TimeoutException("the request's deadline passed");
          }
          if (onChunk != nullptr && buffer->in_avail() <= 0) {
            const auto* held = dynamic_cast<const Held*>(session.get());
            auto& socket = session->socket();
            if ((held == nullptr || held->held() <= 0) && socket.available() <= 0 &&
                !socket.poll(toSpan(wait),
                             Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
              continue; // an idle second: look at `cancel` and the deadline again
            }
          }
          int next = 0;
          try {
            next = buffer->sgetc(); // blocks for at most `wait`
          } catch (const Poco::TimeoutException&) {
            if (onChunk == nullptr) {
              throw;
            }
            continue;
          }
          if (next == std::char_traits<char>::eof()) {
            break;
          }
          const auto got = buffer->sgetn(
              chunk, std::min<std::streamsize>(sizeof(chunk),
                                               std::max<std::streamsize>(1, buffer->in_avail())));
          if (onChunk != nullptr) {
            if (!(*onChunk)(std::string_view(chunk, static_cast<std::size_t>(got)))) {
              reusable = false;
              break;
            }
          } else {
            response.body.append(chunk, static_cast<std::size_t>(got));
          }
        }
      }
    } catch (const Poco::Exception& error) {
      session->reset();
      return makeError(codeFor(error),
                       fmt::format("{} {}: {}", request.method, where, error.displayText()));
    } catch (const std::exception& error) {
      session->reset();
      return makeError(ErrorCode::kUnavailable,
                       fmt::format("{} {}: {}", request.method, where, error.what()));
    }
    if (reusable && session->getKeepAlive()) {
      giveBack(*target, std::move(session));
    } else {
      session->reset();
    }
    return response;
  }
};

HttpsClient::HttpsClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

HttpsClient::~HttpsClient() = default;

void HttpsClient::closeIdle() {
  std::multimap<std::string, std::unique_ptr<Poco::Net::HTTPClientSession>> ending;
  {
    std::lock_guard lock(impl_->mutex);
    ending.swap(impl_->idle);
  }
  // Closed here, outside the lock: each close sends TLS's close_notify.
}

Result<Response> HttpsClient::send(const Request& request) {
  return impl_->perform(request, nullptr, nullptr);
}

Result<Response> HttpsClient::stream(const Request& request, const ChunkHandler& onChunk,
                                     const std::atomic<bool>* cancel) {
  return impl_->perform(request, &onChunk, cancel);
}

} // namespace harborrobot::http

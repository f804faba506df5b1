// libcurl behind http::Client. Easy handles are pooled so connections (and TLS
// sessions) are reused across calls; each call borrows one handle exclusively.
#include "harborrobot/http/curl_client.h"

#include <mutex>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

namespace harborrobot::http {

namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

struct Transfer {
  Response response;
  const ChunkHandler* onChunk = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  bool stoppedByHandler = false;
};

// libcurl calls this about once a second even on an idle connection.
int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.cancel != nullptr && transfer.cancel->load()) {
    transfer.stoppedByHandler = true;
    return 1; // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.onChunk != nullptr) {
    if (!(*transfer.onChunk)(std::string_view(data, bytes))) {
      transfer.stoppedByHandler = true;
      return 0; // makes curl abort the transfer with CURLE_WRITE_ERROR
    }
    return bytes;
  }
  transfer.response.body.append(data, bytes);
  return bytes;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or 100-continue) replaces earlier headers.
    transfer.response.headers.clear();
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return bytes;
  }
  auto trim = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ')) {
      text.remove_suffix(1);
    }
    return text;
  };
  transfer.response.headers[std::string(trim(line.substr(0, colon)))] =
      std::string(trim(line.substr(colon + 1)));
  return bytes;
}

ErrorCode codeFor(CURLcode code) {
  switch (code) {
  case CURLE_OPERATION_TIMEDOUT:
    return ErrorCode::kDeadlineExceeded;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return ErrorCode::kInvalidArgument;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
    return ErrorCode::kFailedPrecondition;
  default:
    return ErrorCode::kUnavailable;
  }
}

void setBlob(CURL* handle, CURLoption option, std::string_view pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

} // namespace

struct CurlClient::Impl {
  ClientOptions options;
  std::mutex mutex;
  std::vector<EasyHandle> idle;

  EasyHandle borrow() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        EasyHandle handle = std::move(idle.back());
        idle.pop_back();
        curl_easy_reset(handle.get());
        return handle;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void giveBack(EasyHandle handle) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(handle));
  }

  void configureTls(CURL* handle) const {
    const TlsOptions& tls = options.tls;
    if (!tls.caPem.empty()) {
      setBlob(handle, CURLOPT_CAINFO_BLOB, tls.caPem);
    } else if (!tls.caFile.empty()) {
      curl_easy_setopt(handle, CURLOPT_CAINFO, tls.caFile.c_str());
    }
    if (!tls.clientCertPem.empty()) {
      setBlob(handle, CURLOPT_SSLCERT_BLOB, tls.clientCertPem);
      curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
      setBlob(handle, CURLOPT_SSLKEY_BLOB, tls.clientKeyPem.reveal());
      curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (tls.insecureSkipVerify) {
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }

  Result<Response> perform(const Request& request, const ChunkHandler* onChunk,
                           const std::atomic<bool>* cancel) {
    EasyHandle handle = borrow();
    if (!handle) {
      return makeError(ErrorCode::kInternal, "curl_easy_init failed");
    }
    CURL* easy = handle.get();
    Transfer transfer;
    transfer.onChunk = onChunk;
    transfer.cancel = cancel;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.userAgent.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connectTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    if (cancel != nullptr) {
      curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, onProgress);
      curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer);
    }
    if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    HeaderList headers;
    for (const auto& [name, value] : request.headers) {
      headers.reset(
          curl_slist_append(headers.release(), fmt::format("{}: {}", name, value).c_str()));
    }
    // curl would otherwise add "Expect: 100-continue" to larger bodies, costing a round trip.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
    std::string userPassword;
    if (request.basicAuth) {
      curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(easy, CURLOPT_USERNAME, request.basicAuth->username.c_str());
      userPassword = std::string(request.basicAuth->password.reveal());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, userPassword.c_str());
    }
    configureTls(easy);

    const CURLcode code = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    // Credentials must not linger in a pooled handle.
    curl_easy_setopt(easy, CURLOPT_PASSWORD, "");
    userPassword.assign(userPassword.size(), '\0');
    giveBack(std::move(handle));

    const bool stopped = transfer.stoppedByHandler &&
                         (code == CURLE_WRITE_ERROR || code == CURLE_ABORTED_BY_CALLBACK);
    if (code != CURLE_OK && !stopped) {
      // The URL is named without its query, which may carry tokens on some APIs.
      const std::string where = request.url.substr(0, request.url.find('?'));
      const std::string detail = errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(code);
      return makeError(codeFor(code), fmt::format("{} {}: {}", request.method, where, detail));
    }
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }
};

CurlClient::CurlClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

CurlClient::~CurlClient() = default;

Result<Response> CurlClient::send(const Request& request) {
  return impl_->perform(request, nullptr, nullptr);
}

Result<Response> CurlClient::stream(const Request& request, const ChunkHandler& onChunk,
                                    const std::atomic<bool>* cancel) {
  return impl_->perform(request, &onChunk, cancel);
}

} // namespace harborrobot::http

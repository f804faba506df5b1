// The Kubernetes REST client: request building, authentication, Status mapping,
// paging, conflict retries and watch stream parsing.
#include "harborrobot/kube/client.h"
#include "harborrobot/http/percent_encode.h"
#include "harborrobot/http/status_codes.h"
#include "harborrobot/util/json_text.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include <fmt/format.h>

namespace harborrobot::kube {

namespace {

std::string_view contentTypeFor(PatchType type) {
  switch (type) {
  case PatchType::kMerge:
    return "application/merge-patch+json";
  case PatchType::kStrategicMerge:
    return "application/strategic-merge-patch+json";
  case PatchType::kJson:
    return "application/json-patch+json";
  case PatchType::kApply:
    return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

ErrorCode codeForStatus(int status, std::string_view reason) {
  if (reason == "AlreadyExists") {
    return ErrorCode::kAlreadyExists;
  }
  if (reason == "Conflict") {
    return ErrorCode::kConflict;
  }
  // Kubernetes' own meanings, on top of the shared mapping: 415 is a patch in a
  // content type the resource does not take (a malformed request), 405 a verb the
  // resource does not have, 410 Gone an expired resourceVersion (list again, do
  // not retry), 504 the API server's own request timeout.
  switch (status) {
  case 415:
    return ErrorCode::kInvalidArgument;
  case 405:
    return ErrorCode::kUnimplemented;
  case 410:
    return ErrorCode::kFailedPrecondition;
  case 504:
    return ErrorCode::kDeadlineExceeded;
  default:
    return http::errorCodeForStatus(status);
  }
}

std::string writeQuery(const WriteOptions& options, bool isApply) {
  std::string query = "?fieldManager=" + http::percentEncode(options.fieldManager);
  if (options.dryRun) {
    query += "&dryRun=All";
  }
  if (isApply && options.force) {
    query += "&force=true";
  }
  return query;
}

} // namespace

Error errorFromResponse(const http::Response& response, std::string_view method,
                        std::string_view path) {
  const Json status = Json::parse(response.body, nullptr, false);
  if (status.is_object() && stringField(status, "kind") == "Status") {
    const std::string reason = stringField(status, "reason");
    return Error(codeForStatus(response.status, reason), stringField(status, "message", reason));
  }
  std::string body = response.body.substr(0, 200);
  return Error(codeForStatus(response.status, ""),
               fmt::format("{} {}: HTTP {}{}{}", method, path, response.status,
                           body.empty() ? "" : ": ", body));
}

Client::Client(RestConfig config)
    : config_(std::move(config)), http_(std::make_unique<http::HttpsClient>(http::ClientOptions{
                                      .tls = config_.tls, .userAgent = config_.userAgent})) {}

Client::~Client() = default;

std::optional<std::chrono::seconds> retryAfterWait(const http::Response& response) {
  if (response.status != 429 && response.status < 500) {
    return std::nullopt;
  }
  const auto found = response.headers.find("Retry-After");
  if (found == response.headers.end()) {
    return std::nullopt;
  }
  // strconv.Atoi: optional sign, decimal digits, nothing else.
  const std::string& text = found->second;
  std::size_t start = text.starts_with('-') || text.starts_with('+') ? 1 : 0;
  if (start == text.size() || text.size() - start > 9 ||
      !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  const long seconds = std::stol(text);
  return std::chrono::seconds(seconds < 0 ? 0 : seconds);
}

Result<http::Response> Client::send(http::Request request, const http::ChunkHandler* onChunk,
                                    const std::atomic<bool>* cancel) {
  // client-go rest/with_retry.go: a 429, or a 5xx carrying Retry-After, is
  // sent again after the server's wait, up to maxRetries times; the last
  // answer is returned as it is. Watches (streamed) are not retried here: the
  // informer re-lists and re-watches.
  for (int retries = 0;; ++retries) {
    auto response = sendOnce(request, onChunk, cancel);
    if (!response || onChunk != nullptr || retries >= config_.maxRetries) {
      return response;
    }
    const auto wait = retryAfterWait(*response);
    if (!wait) {
      return response;
    }
    if (retries_ != nullptr) {
      retries_->inc({std::to_string(response->status)});
    }
    if (config_.sleep) {
      config_.sleep(*wait);
    } else {
      std::this_thread::sleep_for(*wait);
    }
  }
}

Result<http::Response> Client::sendOnce(http::Request& request, const http::ChunkHandler* onChunk,
                                        const std::atomic<bool>* cancel) {
  request.headers["Accept"] = "application/json";
  for (bool afterUnauthorized : {false, true}) {
    if (config_.tokens) {
      auto token = config_.tokens->token(afterUnauthorized);
      if (!token) {
        return makeError(token.error());
      }
      request.headers["Authorization"] = fmt::format("Bearer {}", token->reveal());
    }
    auto response =
        onChunk != nullptr ? http_->stream(request, *onChunk, cancel) : http_->send(request);
    if (!response) {
      return makeError(response.error());
    }
    // A rotated token: ask the source for a fresh one once, as client-go does.
    if (response->status != 401 || !config_.tokens || afterUnauthorized || onChunk != nullptr) {
      return response;
    }
  }
  return makeError(ErrorCode::kInternal, "unreachable");
}

Result<Json> Client::call(std::string_view method, std::string_view path,
                          const std::optional<Json>& body, std::string_view contentType) {
  http::Request request{.method = std::string(method), .url = config_.server + std::string(path)};
  request.timeout = config_.timeout;
  if (body) {
    request.body = jsonText(*body);
    request.headers["Content-Type"] = std::string(contentType);
  }
  auto response = send(std::move(request));
  if (!response) {
    return makeError(response.error());
  }
  const std::string plainPath(path.substr(0, path.find('?')));
  if (response->status < 200 || response->status > 299) {
    return makeError(errorFromResponse(*response, method, plainPath));
  }
  Json parsed = Json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("{} {}: the response is not JSON", method, plainPath));
  }
  return parsed;
}

Result<Json> Client::get(const ResourceType& type, std::string_view ns, std::string_view name) {
  return call("GET", resourcePath(type, ns, name));
}

Result<Json> Client::list(const ResourceType& type, std::string_view ns,
                          const ListOptions& options) {
  Json joined;
  std::string continueToken;
  do {
    std::string query = fmt::format("?limit={}", options.pageSize);
    if (!options.labelSelector.empty()) {
      query += "&labelSelector=" + http::percentEncode(options.labelSelector);
    }
    if (!options.fieldSelector.empty()) {
      query += "&fieldSelector=" + http::percentEncode(options.fieldSelector);
    }
    if (!continueToken.empty()) {
      query += "&continue=" + http::percentEncode(continueToken);
    }
    auto page = call("GET", resourcePath(type, ns) + query);
    if (!page) {
      return makeError(page.error());
    }
    std::string next = page->value("/metadata/continue"_json_pointer, std::string());
    if (joined.is_null()) {
      joined = std::move(*page);
      if (!joined.contains("items") || !joined["items"].is_array()) {
        joined["items"] = Json::array();
      }
    } else if (page->contains("items") && (*page)["items"].is_array()) {
      for (auto& item : (*page)["items"]) {
        joined["items"].push_back(std::move(item));
      }
    }
    continueToken = std::move(next);
  } while (!continueToken.empty());
  if (joined.contains("metadata") && joined["metadata"].is_object()) {
    joined["metadata"].erase("continue");
  }
  return joined;
}

namespace {

// The apiserver refuses a body without apiVersion and kind ("Object 'Kind' is
// missing"); like client-go's typed clients, fill them from the type.
Json withTypeMeta(const ResourceType& type, const Json& object) {
  Json typed = object;
  if (typed.is_object()) {
    if (!typed.contains("apiVersion"))
      typed["apiVersion"] = type.apiVersion();
    if (!typed.contains("kind"))
      typed["kind"] = type.kind;
  }
  return typed;
}

} // namespace

Result<Json> Client::create(const ResourceType& type, std::string_view ns, const Json& object,
                            const WriteOptions& options) {
  return call("POST", resourcePath(type, ns) + writeQuery(options, false),
              withTypeMeta(type, object));
}

Result<Json> Client::update(const ResourceType& type, std::string_view ns, const Json& object,
                            const WriteOptions& options) {
  const std::string name = stringAt(object, "/metadata/name"_json_pointer);
  if (name.empty()) {
    return makeError(fieldErrorWithoutValue("metadata.name", "is missing", "the object's name"));
  }
  return call("PUT", resourcePath(type, ns, name, options.subresource) + writeQuery(options, false),
              withTypeMeta(type, object));
}

Result<Json> Client::patch(const ResourceType& type, std::string_view ns, std::string_view name,
                           PatchType patchType, const std::string& body,
                           const WriteOptions& options) {
  http::Request request{.method = "PATCH",
                        .url = config_.server + resourcePath(type, ns, name, options.subresource) +
                               writeQuery(options, patchType == PatchType::kApply)};
  request.timeout = config_.timeout;
  request.body = body;
  request.headers["Content-Type"] = std::string(contentTypeFor(patchType));
  auto response = send(std::move(request));
  if (!response) {
    return makeError(response.error());
  }
  if (response->status < 200 || response->status > 299) {
    return makeError(errorFromResponse(*response, "PATCH", resourcePath(type, ns, name)));
  }
  return Json::parse(response->body, nullptr, false);
}

Status Client::remove(const ResourceType& type, std::string_view ns, std::string_view name,
                      const DeleteOptions& options) {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!options.propagationPolicy.empty()) {
    body["propagationPolicy"] = options.propagationPolicy;
  }
  if (options.preconditionUid) {
    body["preconditions"]["uid"] = *options.preconditionUid;
  }
  if (options.preconditionResourceVersion) {
    body["preconditions"]["resourceVersion"] = *options.preconditionResourceVersion;
  }
  auto deleted = call("DELETE", resourcePath(type, ns, name), body);
  if (!deleted && deleted.error().code() != ErrorCode::kNotFound) {
    return makeError(deleted.error());
  }
  return ok();
}

Result<Json> Client::modify(const ResourceType& type, std::string_view ns, std::string_view name,
                            const std::function<Result<bool>(Json&)>& mutate,
                            const WriteOptions& options, int attempts) {
  auto current = get(type, ns, name);
  if (!current) {
    return makeError(current.error());
  }
  return modifyFrom(std::move(*current), type, ns, name, mutate, options, attempts);
}

Result<Json> Client::modifyFrom(Json start, const ResourceType& type, std::string_view ns,
                                std::string_view name,
                                const std::function<Result<bool>(Json&)>& mutate,
                                const WriteOptions& options, int attempts) {
  Json current = std::move(start);
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) {
      auto fresh = get(type, ns, name);
      if (!fresh) {
        return makeError(fresh.error());
      }
      current = std::move(*fresh);
    }
    auto changed = mutate(current);
    if (!changed) {
      return makeError(changed.error());
    }
    if (!*changed) {
      return current;
    }
    auto written = update(type, ns, current, options);
    if (written || written.error().code() != ErrorCode::kConflict || attempt >= attempts) {
      return written;
    }
  }
}

Result<WatchEnd> Client::watch(const ResourceType& type, std::string_view ns,
                               const WatchOptions& options,
                               const std::function<bool(const WatchEvent&)>& onEvent) {
  std::string query = fmt::format("?watch=true&timeoutSeconds={}", options.timeoutSeconds);
  if (!options.resourceVersion.empty()) {
    query += "&resourceVersion=" + http::percentEncode(options.resourceVersion);
  }
  if (options.allowBookmarks) {
    query += "&allowWatchBookmarks=true";
  }
  if (!options.labelSelector.empty()) {
    query += "&labelSelector=" + http::percentEncode(options.labelSelector);
  }
  if (!options.fieldSelector.empty()) {
    query += "&fieldSelector=" + http::percentEncode(options.fieldSelector);
  }
  WatchEnd end;
  end.lastResourceVersion = options.resourceVersion;
  std::string buffer;
  std::optional<Error> streamError;

  // One JSON event per line; a chunk may hold several events or part of one.
  const http::ChunkHandler onChunk = [&](std::string_view chunk) {
    buffer.append(chunk);
    std::size_t newline = 0;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      const std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) {
        continue;
      }
      Json event = Json::parse(line, nullptr, false);
      if (event.is_discarded() || !event.is_object()) {
        streamError = Error(ErrorCode::kUnavailable, "watch: an event is not JSON");
        return false;
      }
      // A non-2xx answer arrives through this handler too, as a bare Status.
      if (stringField(event, "kind") == "Status" && !event.contains("type")) {
        event = Json{{"type", "ERROR"}, {"object", std::move(event)}};
      }
      WatchEvent parsed{stringField(event, "type"), std::move(event["object"])};
      if (parsed.type == "ERROR") {
        const int code = intField(parsed.object, "code", 0);
        if (code == 410) {
          end.expired = true;
        } else {
          streamError = Error(codeForStatus(code, stringField(parsed.object, "reason")),
                              stringField(parsed.object, "message", "watch error"));
        }
        return false;
      }
      end.lastResourceVersion = stringAt(parsed.object, "/metadata/resourceVersion"_json_pointer,
                                         end.lastResourceVersion);
      if (!onEvent(parsed)) {
        return false;
      }
    }
    return true;
  };
  http::Request request{.url = config_.server + resourcePath(type, ns) + query};
  // The server ends the watch after timeoutSeconds; the client allows a margin.
  request.timeout = std::chrono::seconds(options.timeoutSeconds + 30);
  auto response = send(std::move(request), &onChunk, options.cancel);
  if (!response) {
    return makeError(response.error());
  }
  if (response->status == 410 || end.expired) {
    end.expired = true;
    return end;
  }
  if (streamError) {
    return makeError(*streamError);
  }
  if (response->status < 200 || response->status > 299) {
    http::Response withBody = *response;
    withBody.body = buffer;
    return makeError(errorFromResponse(withBody, "GET", resourcePath(type, ns)));
  }
  return end;
}

} // namespace harborrobot::kube

// A typed-enough Kubernetes REST client over libcurl: JSON objects in and out,
// apiserver Status responses turned into Errors with the apiserver's message, and
// watches streamed to a handler.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/http/https_client.h"
#include "harborrobot/kube/resource.h"
#include "harborrobot/kube/rest_config.h"
#include "harborrobot/observability/metrics.h"

namespace harborrobot::kube {

using Json = nlohmann::json;

struct ListOptions {
  std::string labelSelector{};
  std::string fieldSelector{};
  int pageSize = 500; // lists are fetched in pages and joined
};

enum class PatchType { kMerge, kStrategicMerge, kJson, kApply };

struct WriteOptions {
  std::string fieldManager = "harborrobot";
  bool force = false; // server-side apply: take over conflicting fields
  bool dryRun = false;
  std::string subresource{}; // "status"
};

struct DeleteOptions {
  std::string propagationPolicy{}; // Background, Foreground, Orphan
  std::optional<std::string> preconditionUid{};
  std::optional<std::string> preconditionResourceVersion{};
};

struct WatchOptions {
  std::string resourceVersion{};
  std::string labelSelector{};
  std::string fieldSelector{};
  int timeoutSeconds = 300; // the server ends the watch after this; callers resume
  bool allowBookmarks = true;
  const std::atomic<bool>* cancel = nullptr; // ends the watch promptly when set
};

struct WatchEvent {
  std::string type; // ADDED, MODIFIED, DELETED, BOOKMARK
  Json object;
};

// Why a watch ended without an error.
struct WatchEnd {
  bool expired = false;            // 410: the resourceVersion is too old; re-list
  std::string lastResourceVersion; // resume from here otherwise
};

class Client {
public:
  explicit Client(RestConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const RestConfig& config() const { return config_; }

  // Counts retries of throttled or failing requests, labelled by HTTP code
  // (harborrobot_kube_request_retries_total{code}); null = not counted.
  void countRetriesIn(metrics::Counter* retries) { retries_ = retries; }

  [[nodiscard]] Result<Json> get(const ResourceType& type, std::string_view ns,
                                 std::string_view name);
  // Every page joined into one List object (metadata.resourceVersion from the first
  // page, so a watch can start from it).
  [[nodiscard]] Result<Json> list(const ResourceType& type, std::string_view ns,
                                  const ListOptions& options = {});
  [[nodiscard]] Result<Json> create(const ResourceType& type, std::string_view ns,
                                    const Json& object, const WriteOptions& options = {});
  // PUT of the whole object (metadata.resourceVersion makes it conditional).
  [[nodiscard]] Result<Json> update(const ResourceType& type, std::string_view ns,
                                    const Json& object, const WriteOptions& options = {});
  [[nodiscard]] Result<Json> patch(const ResourceType& type, std::string_view ns,
                                   std::string_view name, PatchType patchType,
                                   const std::string& body, const WriteOptions& options = {});
  // Deleting what is already gone is success.
  [[nodiscard]] Status remove(const ResourceType& type, std::string_view ns, std::string_view name,
                              const DeleteOptions& options = {});

  // Read-modify-write with optimistic concurrency: `mutate` edits a fresh copy and
  // returns whether it changed anything (false = no write); a 409 re-reads and
  // tries again, up to `attempts` times.
  [[nodiscard]] Result<Json> modify(const ResourceType& type, std::string_view ns,
                                    std::string_view name,
                                    const std::function<Result<bool>(Json&)>& mutate,
                                    const WriteOptions& options = {}, int attempts = 5);
  // The same, with the first attempt starting from `start` (a copy this process
  // read or wrote recently) instead of a GET; a 409 re-reads as usual.
  [[nodiscard]] Result<Json> modifyFrom(Json start, const ResourceType& type, std::string_view ns,
                                        std::string_view name,
                                        const std::function<Result<bool>(Json&)>& mutate,
                                        const WriteOptions& options = {}, int attempts = 5);

  // Streams events to `onEvent` until the server ends the watch, the handler
  // returns false, or an error occurs.
  [[nodiscard]] Result<WatchEnd> watch(const ResourceType& type, std::string_view ns,
                                       const WatchOptions& options,
                                       const std::function<bool(const WatchEvent&)>& onEvent);

  // Any other call (TokenReview, TokenRequest, discovery): `path` is absolute.
  [[nodiscard]] Result<Json> call(std::string_view method, std::string_view path,
                                  const std::optional<Json>& body = std::nullopt,
                                  std::string_view contentType = "application/json");

private:
  [[nodiscard]] Result<http::Response> send(http::Request request,
                                            const http::ChunkHandler* onChunk = nullptr,
                                            const std::atomic<bool>* cancel = nullptr);
  [[nodiscard]] Result<http::Response> sendOnce(http::Request& request,
                                                const http::ChunkHandler* onChunk,
                                                const std::atomic<bool>* cancel);
  RestConfig config_;
  std::unique_ptr<http::HttpsClient> http_;
  metrics::Counter* retries_ = nullptr;
};

// How long client-go waits before retrying a response, or nullopt when it does
// not retry it: a 429 or any 5xx whose Retry-After is a whole number of seconds
// (rest/with_retry.go checkWait, rest/request.go retryAfterSeconds). Without a
// usable Retry-After nothing is retried.
std::optional<std::chrono::seconds> retryAfterWait(const http::Response& response);

// The metric a role registers and hands to countRetriesIn.
inline constexpr std::string_view kRequestRetriesMetric = "harborrobot_kube_request_retries_total";

// The Error for an apiserver response that is not 2xx: the Status message when the
// body is a Status, with a code from its reason/HTTP status.
Error errorFromResponse(const http::Response& response, std::string_view method,
                        std::string_view path);

} // namespace harborrobot::kube

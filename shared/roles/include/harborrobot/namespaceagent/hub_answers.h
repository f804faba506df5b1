// The namespace agent's side of a hub API call, apart from the HTTPS client:
// the request it sends, how long a 429 is waited out, and how an answer is
// read into JSON or an Error whose code says whether to retry.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::namespaceagent {

// How long one call to the hub may take.
inline constexpr std::chrono::seconds kHubCallTimeout{30};
// How many 429s in a row are waited out before the call counts as failed.
inline constexpr int kHubThrottledRetries = 3;

// A call to `url` with the projected token, JSON in (when `body`) and out.
http::Request hubRequest(std::string method, std::string url, const SecretString& token,
                         const std::optional<nlohmann::json>& body);

// The hub answers with http::statusForErrorCode, read back here with its own
// exceptions: 409 stands for kConflict, kAlreadyExists and kFailedPrecondition
// alike (read as the last: a refusal a retry will not cure), 413 is the hub's
// body limit, and 422, which the hub never answers (something in between
// does), stays transient.
ErrorCode hubStatusErrorCode(int status);

// The wait a 429's Retry-After asks for (whole seconds; 1 without one), kept
// within 1 to 30 s.
std::chrono::seconds hubThrottleWait(const http::Headers& headers);

// A final answer (not a 401 to retry or a 429 to wait out) of `method` `path`:
// a 2xx's JSON, or an Error naming the call, the status and the hub's message.
[[nodiscard]] Result<nlohmann::json> readHubAnswer(std::string_view method, std::string_view path,
                                                   const http::Response& response);

} // namespace harborrobot::namespaceagent

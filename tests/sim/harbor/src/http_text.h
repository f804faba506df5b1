// Small text helpers the simulator's handlers share: query parameters and
// Harbor's timestamp format.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace harborrobot::harborsim {

// The first value of `key` in a raw query string, percent-decoded once.
std::string queryValue(const std::string& rawQuery, const std::string& key);
// Every value of `key`, in order (the token service takes repeated scopes).
std::vector<std::string> queryValues(const std::string& rawQuery, const std::string& key);
// Go's url.QueryUnescape: %XX and '+' (as a space); nullopt on a malformed escape.
std::optional<std::string> queryUnescape(const std::string& text);
// Go's url.ParseQuery, in order: pairs with a malformed escape or a ';' are dropped.
std::vector<std::pair<std::string, std::string>> parseQuery(const std::string& rawQuery);
// Go's url.Values.Encode: sorted by key (values of one key keep their order),
// each part QueryEscape'd.
std::string encodeQuery(const std::vector<std::pair<std::string, std::string>>& values);
// The Link header of Harbor's list APIs (src/server/v2.0/handler/base.go
// BaseAPI.Links, src/lib/link.go Links.String) for a request to `path` with
// `rawQuery`; "" when there is no link.
std::string paginationLinks(const std::string& path, const std::string& rawQuery,
                            std::int64_t total, std::int64_t page, std::int64_t pageSize);
// RFC 3339 with milliseconds in UTC, as Harbor prints creation_time.
std::string rfc3339Millis(std::chrono::system_clock::time_point time);
// RFC 3339 to the second in UTC, as Harbor prints current_time and issued_at.
std::string rfc3339Seconds(std::chrono::system_clock::time_point time);

} // namespace harborrobot::harborsim

#include "request_log.h"

#include <unistd.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

bool isSecretKey(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key == "secret" || key == "password";
}

void redact(json& value) {
  if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (isSecretKey(key))
        item = "<redacted>";
      else
        redact(item);
    }
  } else if (value.is_array()) {
    for (auto& item : value)
      redact(item);
  }
}

bool looksLikeJson(const std::string& contentType, const std::string& body) {
  if (contentType.find("json") != std::string::npos)
    return true;
  if (!contentType.empty())
    return false;
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (body[first] == '{' || body[first] == '[');
}

std::string utcTime(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     millis % 1000);
}

json toJson(const LoggedRequest& entry) {
  json item = {{"method", entry.method},
               {"path", entry.path},
               {"query", entry.query},
               {"status", entry.status},
               {"latencyMs", static_cast<double>(entry.latency.count()) / 1000.0},
               {"caller", entry.caller},
               {"fault", entry.fault},
               {"userAgent", entry.userAgent},
               {"contentType", entry.contentType},
               {"headers", entry.headers},
               {"body", entry.body},
               {"bodyBytes", entry.bodyBytes},
               {"time", utcTime(entry.time)}};
  if (!entry.bodyNote.empty())
    item["bodyNote"] = entry.bodyNote;
  return item;
}

} // namespace

void describeRequest(LoggedRequest& entry, const std::map<std::string, std::string>& headers,
                     const std::string& body) {
  static const std::set<std::string> kCredentials = {"authorization", "proxy-authorization",
                                                     "cookie", "x-harbor-csrf-token"};
  entry.headers.clear();
  for (const auto& [name, value] : headers) {
    if (!kCredentials.contains(name))
      entry.headers.emplace(name, value);
  }
  const auto header = [&](const std::string& name) {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  };
  entry.userAgent = header("user-agent");
  entry.contentType = header("content-type");
  entry.bodyBytes = body.size();
  entry.body = nullptr;
  entry.bodyNote.clear();
  if (body.empty())
    return;
  if (!looksLikeJson(entry.contentType, body)) {
    entry.bodyNote = "not logged: not JSON";
    return;
  }
  if (body.size() > kLoggedBodyLimit) {
    entry.bodyNote = fmt::format("not logged: over {} bytes", kLoggedBodyLimit);
    return;
  }
  try {
    entry.body = json::parse(body);
  } catch (const json::parse_error& error) {
    entry.bodyNote = fmt::format("not JSON: {}", error.what());
    return;
  }
  redact(entry.body);
}

std::optional<std::string> RequestLog::persistTo(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    return fmt::format("cannot create the request log directory {}: {}", directory.string(),
                       error.message());
  const auto file = directory / fmt::format("harbor-sim-{}.jsonl", ::getpid());
  std::lock_guard lock(mutex_);
  persist_.open(file, std::ios::app);
  if (!persist_)
    return fmt::format("cannot open the request log {} for appending", file.string());
  return std::nullopt;
}

void RequestLog::append(LoggedRequest entry) {
  if (entry.time == std::chrono::system_clock::time_point{})
    entry.time = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  if (persist_.is_open()) {
    // One line per request, flushed, so a killed simulator loses nothing.
    persist_ << toJson(entry).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    persist_.flush();
  }
  entries_.push_back(std::move(entry));
  if (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  dropped_ = 0;
}

json RequestLog::list(const std::string& pathPrefix) const {
  std::lock_guard lock(mutex_);
  json items = json::array();
  for (const auto& entry : entries_) {
    if (!entry.path.starts_with(pathPrefix))
      continue;
    items.push_back(toJson(entry));
  }
  return {{"items", items}, {"dropped", dropped_}};
}

} // namespace harborrobot::harborsim

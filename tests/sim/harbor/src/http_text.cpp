#include "http_text.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "robot_rules.h"

namespace harborrobot::harborsim {

std::vector<std::string> queryValues(const std::string& rawQuery, const std::string& key) {
  std::vector<std::string> values;
  std::size_t at = 0;
  while (at < rawQuery.size()) {
    const auto amp = rawQuery.find('&', at);
    const std::string pair =
        rawQuery.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (pair.starts_with(key + "="))
      values.push_back(urlDecode(pair.substr(key.size() + 1)));
    at = amp == std::string::npos ? rawQuery.size() : amp + 1;
  }
  return values;
}

std::string queryValue(const std::string& rawQuery, const std::string& key) {
  auto values = queryValues(rawQuery, key);
  return values.empty() ? "" : values.front();
}

std::optional<std::string> queryUnescape(const std::string& text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
        return std::nullopt;
      decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i] == '+' ? ' ' : text[i];
    }
  }
  return decoded;
}

std::vector<std::pair<std::string, std::string>> parseQuery(const std::string& rawQuery) {
  std::vector<std::pair<std::string, std::string>> values;
  std::size_t at = 0;
  while (at < rawQuery.size()) {
    const auto amp = rawQuery.find('&', at);
    const std::string pair =
        rawQuery.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    at = amp == std::string::npos ? rawQuery.size() : amp + 1;
    if (pair.empty() || pair.find(';') != std::string::npos)
      continue;
    const auto equals = pair.find('=');
    auto key = queryUnescape(pair.substr(0, equals));
    auto value =
        queryUnescape(equals == std::string::npos ? std::string() : pair.substr(equals + 1));
    if (key && value)
      values.emplace_back(std::move(*key), std::move(*value));
  }
  return values;
}

namespace {

std::string queryEscape(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~')
      escaped += c;
    else if (c == ' ')
      escaped += '+';
    else
      escaped += fmt::format("%{:02X}", byte);
  }
  return escaped;
}

} // namespace

std::string encodeQuery(const std::vector<std::pair<std::string, std::string>>& values) {
  auto sorted = values;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string encoded;
  for (const auto& [key, value] : sorted)
    encoded += (encoded.empty() ? "" : "&") + queryEscape(key) + "=" + queryEscape(value);
  return encoded;
}

std::string paginationLinks(const std::string& path, const std::string& rawQuery,
                            std::int64_t total, std::int64_t page, std::int64_t pageSize) {
  if (pageSize == 0)
    return "";
  // base.go works on one copy of the request URL: the "next" link starts from
  // the query the "prev" link left behind (already unescaped once more).
  std::string query = rawQuery;
  const auto link = [&](std::int64_t target) {
    auto values = parseQuery(query);
    // url.Values.Set: replaces every value of the key, or adds it.
    const auto set = [&](const std::string& key, const std::string& value) {
      std::erase_if(values, [&](const auto& entry) { return entry.first == key; });
      values.emplace_back(key, value);
    };
    set("page", std::to_string(target));
    set("page_size", std::to_string(pageSize));
    const std::string encoded = encodeQuery(values);
    // "try to unescape the query", keeping the encoded form if that fails.
    query = queryUnescape(encoded).value_or(encoded);
    return fmt::format("<{}?{}>", path, query);
  };
  std::vector<std::string> links;
  if (page > 1 && (page - 1) * pageSize < total)
    links.push_back(link(page - 1) + "; rel=\"prev\"");
  if (pageSize * page < total)
    links.push_back(link(page + 1) + "; rel=\"next\"");
  // lib.Links.String joins with " , ".
  std::string joined;
  for (const auto& entry : links)
    joined += (joined.empty() ? "" : " , ") + entry;
  return joined;
}

std::string rfc3339Seconds(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string rfc3339Millis(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, millis);
}

} // namespace harborrobot::harborsim

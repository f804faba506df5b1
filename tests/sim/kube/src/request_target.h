// What an API request addresses: /api/v1/... or /apis/<group>/<version>/...
// split into namespace, resource, name and subresource, plus its query.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace harborrobot::kubesim {

struct RequestTarget {
  std::string group;
  std::string version;
  std::string namespaceName;
  std::string resource;
  std::string name;
  std::string subresource;
};

// nullopt when the path is not a resource path (discovery and unknown paths).
std::optional<RequestTarget> parseResourcePath(const std::string& path);

// application/x-www-form-urlencoded decoding as Go's url.ParseQuery does it:
// "+" is a space, %XX escapes; the first value of a repeated key wins.
std::map<std::string, std::string> parseQuery(const std::string& rawQuery);

// A boolean query parameter as Go's strconv.ParseBool reads it ("1", "t",
// "true", "True", "TRUE"; clients differ in which they send).
bool queryFlag(const std::map<std::string, std::string>& query, const std::string& key);

} // namespace harborrobot::kubesim

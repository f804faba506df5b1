#include "harborrobot/plugin/connection_plugins.h"

#include <fmt/format.h>

namespace harborrobot::plugin {

namespace {

Status checkRegistered(const Host& host, Kind kind, std::string_view path,
                       const std::string& name) {
  const auto known = host.names(kind);
  if (std::find(known.begin(), known.end(), name) != known.end()) {
    return ok();
  }
  return makeError(fieldError(
      path, name, fmt::format("names no loaded {} plugin", kindName(kind)),
      known.empty() ? std::string("a plugin of that kind in the plugin directory (none is loaded)")
                    : fmt::format("one of: {}", fmt::join(known, ", "))));
}

} // namespace

Status checkConnectionPlugins(const HarborConnection& connection, const Host& host) {
  if (auto status = checkRegistered(host, Kind::kProvider,
                                    fmt::format("metadata.annotations[{}]", kProviderAnnotation),
                                    connection.provider);
      !status) {
    return status;
  }
  if (connection.alias) {
    if (auto status =
            checkRegistered(host, Kind::kAliasPolicy, "url.alias.policy", connection.aliasPolicy);
        !status) {
      return status;
    }
  }
  if (connection.projectFieldsPath.empty()) {
    return ok();
  }
  if (auto status =
          checkRegistered(host, Kind::kProjectResolver,
                          fmt::format("metadata.annotations[{}]", kProjectResolverAnnotation),
                          connection.projectResolver);
      !status) {
    return status;
  }
  // The resolver parses the expression when it is made: a template it cannot
  // read is the connection's error, not a silent "no project" for every namespace.
  if (auto made =
          host.makeProjectResolver(connection.projectResolver, connection.projectFieldsPath);
      !made) {
    return makeError(made.error().withContext(
        fmt::format("metadata.annotations[{}]", kProjectFieldsPathAnnotation)));
  }
  return ok();
}

} // namespace harborrobot::plugin

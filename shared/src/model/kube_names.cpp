// Kubernetes name rules (RFC 1123 subdomains and labels) with field messages.
#include <regex>

#include "harborrobot/model/binding.h"

namespace harborrobot {

Status validateDnsSubdomain(std::string_view name, std::string_view path) {
  static const std::regex subdomain(
      R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)");
  if (name.empty() || name.size() > 253 || !std::regex_match(name.begin(), name.end(), subdomain)) {
    return makeError(fieldError(path, name, "is not a valid name",
                                "a lower-case RFC 1123 subdomain of at most 253 characters, e.g. "
                                "harbor-secret-for-team.robot"));
  }
  return ok();
}

Status validateDnsLabel(std::string_view name, std::string_view path) {
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  if (name.empty() || name.size() > 63 || !std::regex_match(name.begin(), name.end(), label)) {
    return makeError(
        fieldError(path, name, "is not a valid namespace name",
                   "a lower-case RFC 1123 label of at most 63 characters, e.g. team-ns1"));
  }
  return ok();
}

} // namespace harborrobot

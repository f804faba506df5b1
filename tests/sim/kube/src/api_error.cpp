// Status bodies in apimachinery's wording (pkg/api/errors/errors.go and
// pkg/util/validation/field/errors.go).
#include "api_error.h"

#include <fmt/format.h>

namespace harborrobot::kubesim {

using nlohmann::json;

std::string goQuote(const std::string& value) {
  std::string quoted = "\"";
  for (const char c : value) {
    switch (c) {
    case '"':
      quoted += "\\\"";
      break;
    case '\\':
      quoted += "\\\\";
      break;
    case '\n':
      quoted += "\\n";
      break;
    case '\t':
      quoted += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      } else {
        quoted += c;
      }
    }
  }
  return quoted + "\"";
}

namespace {

// field.Error prints strings quoted and other values with %#v-like plainness.
std::string shownValue(const json& value) {
  if (value.is_string())
    return goQuote(value.get<std::string>());
  if (value.is_null())
    return "null";
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

Cause invalidValue(const std::string& field, const json& value, const std::string& detail) {
  std::string message = "Invalid value: " + shownValue(value);
  if (!detail.empty())
    message += ": " + detail;
  return {"FieldValueInvalid", field, message};
}

Cause requiredValue(const std::string& field, const std::string& detail) {
  return {"FieldValueRequired", field,
          detail.empty() ? "Required value" : "Required value: " + detail};
}

Cause forbiddenValue(const std::string& field, const std::string& detail) {
  return {"FieldValueForbidden", field, "Forbidden: " + detail};
}

Cause unsupportedValue(const std::string& field, const json& value,
                       const std::vector<std::string>& supported) {
  std::string list;
  for (const auto& option : supported)
    list += (list.empty() ? "" : ", ") + goQuote(option);
  return {"FieldValueNotSupported", field,
          "Unsupported value: " + shownValue(value) + ": supported values: " + list};
}

ApiError statusError(int code, const std::string& reason, const std::string& message,
                     json details) {
  json body = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
               {"status", "Failure"}, {"message", message}, {"reason", reason},
               {"code", code}};
  if (!details.is_null())
    body["details"] = std::move(details);
  return {code, std::move(body)};
}

namespace {

// "secrets" or "deployments.apps" → details {name, group, kind}.
json detailsFor(const std::string& qualifiedResource, const std::string& name) {
  const auto dot = qualifiedResource.find('.');
  json details = {{"name", name}, {"kind", qualifiedResource.substr(0, dot)}};
  if (dot != std::string::npos)
    details["group"] = qualifiedResource.substr(dot + 1);
  return details;
}

} // namespace

ApiError notFound(const std::string& qualifiedResource, const std::string& name) {
  return statusError(404, "NotFound", fmt::format("{} \"{}\" not found", qualifiedResource, name),
                     detailsFor(qualifiedResource, name));
}

ApiError alreadyExists(const std::string& qualifiedResource, const std::string& name) {
  return statusError(409, "AlreadyExists",
                     fmt::format("{} \"{}\" already exists", qualifiedResource, name),
                     detailsFor(qualifiedResource, name));
}

ApiError conflict(const std::string& qualifiedResource, const std::string& name,
                  const std::string& why) {
  return statusError(
      409, "Conflict",
      fmt::format("Operation cannot be fulfilled on {} \"{}\": {}", qualifiedResource, name, why),
      detailsFor(qualifiedResource, name));
}

ApiError staleResourceVersion(const std::string& qualifiedResource, const std::string& name) {
  return conflict(qualifiedResource, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

ApiError invalid(const std::string& qualifiedKind, const std::string& name,
                 const std::string& group, const std::string& kind,
                 const std::vector<Cause>& causes) {
  std::vector<std::string> parts;
  json causeList = json::array();
  for (const auto& cause : causes) {
    parts.push_back(cause.field.empty() ? cause.message : cause.field + ": " + cause.message);
    causeList.push_back(
        {{"reason", cause.reason}, {"message", cause.message}, {"field", cause.field}});
  }
  std::string joined;
  if (parts.size() == 1) {
    joined = parts.front();
  } else {
    for (const auto& part : parts)
      joined += (joined.empty() ? "" : ", ") + part;
    joined = "[" + joined + "]";
  }
  json details = {{"name", name}, {"kind", kind}, {"causes", causeList}};
  if (!group.empty())
    details["group"] = group;
  return statusError(422, "Invalid",
                     fmt::format("{} \"{}\" is invalid: {}", qualifiedKind, name, joined),
                     std::move(details));
}

ApiError badRequest(const std::string& message) {
  return statusError(400, "BadRequest", message);
}

ApiError methodNotAllowed() {
  return statusError(405, "MethodNotAllowed",
                     "the server does not allow this method on the requested resource");
}

ApiError unsupportedMediaType(const std::string& contentType, const std::string& accepted) {
  return statusError(
      415, "UnsupportedMediaType",
      fmt::format("the body of the request was in an unknown format - accepted "
                  "media types include: {}",
                  accepted),
      json{{"causes", {{{"reason", "UnsupportedMediaType"}, {"message", contentType}}}}});
}

ApiError expired(const std::string& message) {
  return statusError(410, "Expired", message);
}

ApiError pathNotFound() {
  return statusError(
      404, "NotFound", "the server could not find the requested resource",
      json{{"causes",
            {{{"reason", "UnexpectedServerResponse"}, {"message", "404 page not found"}}}}});
}

ApiError forbidden(const std::string& message) {
  return statusError(403, "Forbidden", message);
}

json successStatus(const std::string& plural, const std::string& group, const std::string& name,
                   const std::string& uid) {
  json details = {{"name", name}, {"kind", plural}, {"uid", uid}};
  if (!group.empty())
    details["group"] = group;
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Success"},
          {"details", details}};
}

} // namespace harborrobot::kubesim

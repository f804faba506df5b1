// Errors of the simulated apiserver, as metav1.Status bodies in the exact shapes
// and wording of k8s.io/apimachinery/pkg/api/errors, because kubectl prints
// their messages verbatim ("Error from server (NotFound): ...").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace harborrobot::kubesim {

struct ApiError {
  int code = 500;
  nlohmann::json status;
};

template <typename T> using ApiResult = tl::expected<T, ApiError>;

// One field problem of an Invalid (422) answer: reason is the apimachinery
// CauseType ("FieldValueInvalid", "FieldValueRequired", ...), message is the
// error body without the field ("Invalid value: \"x\": must be ...").
struct Cause {
  std::string reason;
  std::string field;
  std::string message;
};

// Quotes a value as Go's %q does for the messages that embed user input.
std::string goQuote(const std::string& value);

// Cause builders in field.Error's wording.
Cause invalidValue(const std::string& field, const nlohmann::json& value,
                   const std::string& detail);
Cause requiredValue(const std::string& field, const std::string& detail = "");
Cause forbiddenValue(const std::string& field, const std::string& detail);
Cause unsupportedValue(const std::string& field, const nlohmann::json& value,
                       const std::vector<std::string>& supported);

ApiError statusError(int code, const std::string& reason, const std::string& message,
                     nlohmann::json details = nullptr);
ApiError notFound(const std::string& qualifiedResource, const std::string& name);
ApiError alreadyExists(const std::string& qualifiedResource, const std::string& name);
ApiError conflict(const std::string& qualifiedResource, const std::string& name,
                  const std::string& why);
ApiError staleResourceVersion(const std::string& qualifiedResource, const std::string& name);
// kind is the Kind ("Secret"), qualifiedKind adds ".group" for non-core groups.
ApiError invalid(const std::string& qualifiedKind, const std::string& name,
                 const std::string& group, const std::string& kind,
                 const std::vector<Cause>& causes);
ApiError badRequest(const std::string& message);
ApiError methodNotAllowed();
ApiError unsupportedMediaType(const std::string& contentType, const std::string& accepted);
ApiError expired(const std::string& message);
ApiError pathNotFound();
ApiError forbidden(const std::string& message);

// metav1.Status "Success" for deletes of kinds that do not return the object.
nlohmann::json successStatus(const std::string& plural, const std::string& group,
                             const std::string& name, const std::string& uid);

} // namespace harborrobot::kubesim

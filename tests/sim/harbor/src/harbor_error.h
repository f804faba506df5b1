// Harbor's error responses: {"errors":[{"code":...,"message":...}]} with the
// status codes and default messages of src/lib/errors (NOTES.md §1).
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace harborrobot::harborsim {

struct HarborError {
  int status = 500;
  std::string code;
  std::string message;

  nlohmann::json body() const { return {{"errors", {{{"code", code}, {"message", message}}}}}; }
};

template <typename T> using HarborResult = tl::expected<T, HarborError>;

inline HarborError badRequest(std::string message) {
  return {400, "BAD_REQUEST", std::move(message)};
}
inline HarborError unauthorized() {
  return {401, "UNAUTHORIZED", "unauthorized"};
}
inline HarborError forbidden(std::string message = "forbidden") {
  return {403, "FORBIDDEN", std::move(message)};
}
inline HarborError denied(std::string message) {
  return {403, "DENIED", std::move(message)};
}
inline HarborError notFound(std::string message = "resource not found") {
  return {404, "NOT_FOUND", std::move(message)};
}
inline HarborError conflict(std::string message) {
  return {409, "CONFLICT", std::move(message)};
}
inline HarborError precondition(std::string message) {
  return {412, "PRECONDITION", std::move(message)};
}
inline HarborError unprocessable(std::string message) {
  return {422, "UNPROCESSABLE_ENTITY", std::move(message)};
}
// A 5xx from Harbor never shows its cause: src/lib/http/error.go SendError
// replaces it with UNKNOWN "internal server error".
inline HarborError internalError() {
  return {500, "UNKNOWN", "internal server error"};
}
inline HarborError methodNotAllowed() {
  return {405, "METHOD_NOT_ALLOWED", "method not allowed"};
}

} // namespace harborrobot::harborsim

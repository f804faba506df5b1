// POST /users (admin-created local users) and /configurations: the runtime
// settings the simulator honours (project_creation_restriction,
// robot_name_prefix, token_expiration, read_only).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "harbor_api.h"

namespace harborrobot::harborsim {

using nlohmann::json;

namespace {

HarborResult<std::string> requiredString(const json& body, const char* field) {
  if (!body.contains(field) || !body[field].is_string())
    return tl::unexpected(unprocessable(fmt::format("{} in body is required", field)));
  return body[field].get<std::string>();
}

// Who may change system settings: 401 anonymous, else 403 naming the caller.
template <typename Principal> std::optional<HarborError> requireAdmin(const Principal& who) {
  if (who.name.empty())
    return unauthorized();
  if (!who.admin)
    return forbidden(who.name);
  return std::nullopt;
}

} // namespace

HarborResult<HarborResponse> HarborApi::createUser(const HarborRequest& request,
                                                   const Principal& who) {
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return tl::unexpected(unprocessable("the request body must be a JSON object"));
  auto name = requiredString(body, "username");
  if (!name)
    return tl::unexpected(name.error());
  auto password = requiredString(body, "password");
  if (!password)
    return tl::unexpected(password.error());
  if (auto refusal = requireAdmin(who))
    return tl::unexpected(*refusal);
  if (name->empty() || name->size() > 255 || name->find_first_of(",\"~#%$:") != std::string::npos)
    return tl::unexpected(badRequest(
        fmt::format("username {} contains illegal characters or has an invalid length", *name)));
  const auto has = [&](int (*predicate)(int)) {
    return std::any_of(password->begin(), password->end(),
                       [&](char c) { return predicate(static_cast<unsigned char>(c)) != 0; });
  };
  if (password->size() < 8 || password->size() > 128 || !has(::islower) || !has(::isupper) ||
      !has(::isdigit))
    return tl::unexpected(
        badRequest("Password should be 8-128 characters long with at least 1 uppercase, 1 "
                   "lowercase and 1 number"));
  if (std::any_of(users_.begin(), users_.end(),
                  [&](const User& user) { return user.name == *name; }))
    return tl::unexpected(conflict(fmt::format("username {} is already used", *name)));
  const std::int64_t id = nextUserId_++;
  users_.push_back({id, *name, hashPassword(*password), false});
  HarborResponse response;
  response.status = 201;
  response.headers.emplace_back("Location", fmt::format("/api/v2.0/users/{}", id));
  return response;
}

HarborResult<HarborResponse> HarborApi::configurations(const HarborRequest& request,
                                                       const Principal& who) {
  if (request.method != "GET" && request.method != "PUT")
    return tl::unexpected(methodNotAllowed());
  if (auto refusal = requireAdmin(who))
    return tl::unexpected(*refusal);
  if (request.method == "GET") {
    HarborResponse response;
    response.body =
        json{{"project_creation_restriction",
              {{"value", projectCreationRestriction_}, {"editable", true}}},
             {"robot_name_prefix", {{"value", robotPrefix_}, {"editable", true}}},
             {"token_expiration", {{"value", tokenExpirationMinutes_}, {"editable", true}}},
             {"read_only", {{"value", readOnly_}, {"editable", true}}}}
            .dump() +
        "\n";
    return response;
  }
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return tl::unexpected(unprocessable("the request body must be a JSON object"));
  // Validate everything first so a bad key changes nothing.
  std::string restriction = projectCreationRestriction_;
  std::string prefix = robotPrefix_;
  std::int64_t expiration = tokenExpirationMinutes_;
  bool readOnly = readOnly_;
  for (const auto& [key, value] : body.items()) {
    const std::string shown = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (key == "project_creation_restriction") {
      if (value != "everyone" && value != "adminonly")
        return tl::unexpected(badRequest(fmt::format(
            "project_creation_restriction: {} is not valid, expected everyone or adminonly",
            shown)));
      restriction = value;
    } else if (key == "robot_name_prefix") {
      if (!value.is_string() || value.get<std::string>().empty())
        return tl::unexpected(badRequest(
            fmt::format("robot_name_prefix: {} is not valid, expected a non-empty string", shown)));
      prefix = value;
    } else if (key == "token_expiration") {
      if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
        return tl::unexpected(badRequest(fmt::format(
            "token_expiration: {} is not valid, expected a positive number of minutes", shown)));
      expiration = value;
    } else if (key == "read_only") {
      // A user-scope BoolType item (src/lib/config/metadata/metadatalist.go):
      // its string form must pass strconv.ParseBool.
      static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
      static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
      const std::string text = value.is_string() ? value.get<std::string>() : shown;
      if (!kTrue.contains(text) && !kFalse.contains(text))
        return tl::unexpected(
            badRequest(fmt::format("read_only: {} is not valid, expected true or false", shown)));
      readOnly = kTrue.contains(text);
    } else {
      return tl::unexpected(
          badRequest(fmt::format("the configuration key {} is not supported", key)));
    }
  }
  projectCreationRestriction_ = restriction;
  robotPrefix_ = prefix;
  tokenExpirationMinutes_ = expiration;
  readOnly_ = readOnly;
  return HarborResponse{};
}

} // namespace harborrobot::harborsim

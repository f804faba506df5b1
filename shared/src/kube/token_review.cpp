#include "harborrobot/kube/token_review.h"

#include <algorithm>

#include "harborrobot/util/json_text.h"

namespace harborrobot::kube {

Result<ReviewedUser> reviewedUser(const Json& status, std::string_view audience) {
  if (!status.is_object() || !status.value("authenticated", false)) {
    const std::string reason =
        status.is_object() && status.contains("error") && status["error"].is_string()
            ? status["error"].get<std::string>()
            : std::string("unknown");
    return makeError(ErrorCode::kUnauthenticated, "the token was refused: " + reason);
  }
  const Json audiences = status.value("audiences", Json::array());
  const bool confirmed =
      audiences.is_array() && std::any_of(audiences.begin(), audiences.end(), [&](const Json& a) {
        return a.is_string() && a.get<std::string>() == audience;
      });
  if (!confirmed) {
    return makeError(ErrorCode::kUnauthenticated,
                     "the token review did not confirm audience " + std::string(audience) +
                         " (status.audiences: " + jsonText(audiences) +
                         "); the authenticator is not audience-aware or the token is for "
                         "another audience");
  }
  const Json user = status.value("user", Json::object());
  return ReviewedUser{user.is_object() ? user.value("username", std::string()) : std::string(),
                      user.is_object() ? user.value("uid", std::string()) : std::string()};
}

} // namespace harborrobot::kube

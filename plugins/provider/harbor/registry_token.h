// Reads what Harbor's registry token service granted: the claims of the JWT it
// returns (signature not checked: we only ask what we were given, from the
// server we asked, over TLS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::plugins::harbor {

struct GrantedAccess {
  std::string subject;              // "sub": the robot's full name, "" for anonymous
  std::vector<std::string> actions; // for the scope asked about
};

// `tokenResponse` is the body of /service/token; `repository` the scope's name.
[[nodiscard]] Result<GrantedAccess> readGrantedAccess(std::string_view tokenResponse,
                                                      std::string_view repository);

} // namespace harborrobot::plugins::harbor

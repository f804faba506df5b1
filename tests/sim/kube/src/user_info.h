// Who is calling: the authenticated user, as authorization sees it.
#pragma once

#include <string>
#include <vector>

namespace harborrobot::kubesim {

struct UserInfo {
  std::string name;
  std::vector<std::string> groups;
  std::string uid;
};

} // namespace harborrobot::kubesim

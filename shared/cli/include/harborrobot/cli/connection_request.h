// What `kubectl harborrobot connect` writes: the connection Secret of the
// Harbor Robot Account Generator's documentation, built from the command's
// flags and checked by the core's parser before anything is sent.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"

namespace harborrobot::cli {

struct ConnectionRequest {
  std::string name{};
  std::string url{};
  std::string username{};
  std::string projectFieldsPath{}; // harborrobot.io/project-fields-path
  std::string alias{};             // url.alias and its keys, when given
  std::string aliasPolicy{};
  std::string aliasIps{};
  std::string aliasCheckInterval{};
};

// The Secret in `ns`, or the parser's error naming the key at fault.
[[nodiscard]] Result<nlohmann::json> buildConnectionSecret(const ConnectionRequest& request,
                                                           const std::string& ns,
                                                           const std::string& password,
                                                           const std::string& caPem);

} // namespace harborrobot::cli

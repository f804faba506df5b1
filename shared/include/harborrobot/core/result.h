// Result<T>: the return type of every fallible core and plugin API.
// Exceptions stay at the edges (Poco, yaml-cpp, nlohmann::json); they are caught
// where thrown and turned into an Error.
#pragma once

#include <tl/expected.hpp>

#include "harborrobot/core/error.h"

namespace harborrobot {

template <class T> using Result = tl::expected<T, Error>;

// For operations that produce nothing but can fail.
using Status = Result<void>;

inline tl::unexpected<Error> makeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

inline tl::unexpected<Error> makeError(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

inline Status ok() {
  return {};
}

} // namespace harborrobot

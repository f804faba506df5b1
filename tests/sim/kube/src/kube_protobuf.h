// Decoding of the protobuf request bodies kubectl's `create <generator>`,
// `create token` and `auth` commands send (kubectl-traces.md section 10):
// the "k8s\0" magic, a runtime.Unknown envelope, and the object's message,
// turned into the JSON the same object has in the API.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace harborrobot::kubesim {

// Errors name the byte offset or field that was wrong; nothing throws.
tl::expected<nlohmann::json, std::string> decodeKubeProtobuf(std::string_view body);

} // namespace harborrobot::kubesim

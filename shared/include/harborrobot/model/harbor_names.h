// Names Harbor accepts: project names, robot names, and the derivation of a
// robot's name from (binding, namespace, generation).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot {

// Harbor's project names: 1–255 characters of ^[a-z0-9]+(?:[._-][a-z0-9]+)*$.
[[nodiscard]] Status validateProjectName(std::string_view name, std::string_view path);

// Robot names use the same pattern (checked by Harbor before anything else).
bool isValidRobotName(std::string_view name);

// Robot names are capped at this many characters so "robot$<project>+<name>" stays
// readable in Harbor's UI and in docker's credential helpers; longer names are
// truncated and made unique again with a hash.
inline constexpr std::size_t kMaxRobotNameLength = 64;
// The shortest name robotNameFor makes when a long project leaves little room
// in Harbor's stored name (see registry::robotNameRoom).
inline constexpr std::size_t kMinRobotNameLength = 16;

struct RobotNameInput {
  std::string_view binding;
  std::string_view ns;
  std::string_view clusterId;
  std::string_view bindingUid;
  std::int64_t generation = 0;
  // At most this many characters (clamped to kMinRobotNameLength…kMaxRobotNameLength),
  // for a project whose long name leaves less room in Harbor's column.
  std::size_t maxLength = kMaxRobotNameLength;
};

// Hex digits of the hash in a robot's name: 64 bits, so two robots of one
// project never collide in practice (24 bits did, and a 409 stuck rotation).
inline constexpr std::size_t kRobotNameHashDigits = 16;

// "<binding>-<namespace>-<16 hex>", where the hex is a hash of the cluster, binding
// UID, namespace and generation: deterministic (a retried rotation asks for the
// same name), distinct per generation, always valid for Harbor, at most
// min(maxLength, kMaxRobotNameLength) characters.
std::string robotNameFor(const RobotNameInput& input);

// Lower-case hex SHA-256, used for stable short hashes.
std::string sha256Hex(std::string_view data);

// Harbor's version text ("v2.12.2-73072d0d", "2.14.0") is at least 2.12, the
// oldest Harbor whose robot API harborrobot speaks.
bool isSupportedHarborVersion(std::string_view version);

} // namespace harborrobot

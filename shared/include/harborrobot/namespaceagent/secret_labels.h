// The wire names a namespace agent puts on the Secrets it generates: which
// binding, which generation, when, and a hash of the content to notice hand edits.
#pragma once

#include <string_view>

namespace harborrobot::namespaceagent {

inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "harborrobot";
inline constexpr std::string_view kBindingAnnotation = "harborrobot.io/binding";
inline constexpr std::string_view kGenerationAnnotation = "harborrobot.io/generation";
inline constexpr std::string_view kRotatedAtAnnotation = "harborrobot.io/rotated-at";
inline constexpr std::string_view kSpecHashAnnotation = "harborrobot.io/spec-hash";
inline constexpr std::string_view kContentHashAnnotation = "harborrobot.io/content-hash";
inline constexpr std::string_view kRobotAnnotation = "harborrobot.io/robot";
// The alias copy of a binding's Secret is named after it with this suffix.
inline constexpr std::string_view kAliasSuffix = ".alias";

} // namespace harborrobot::namespaceagent

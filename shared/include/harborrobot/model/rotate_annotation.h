// The annotations on a HarborRobotBinding that ask the hub for a rotation:
// one key for every namespace, one per namespace. Written by `kubectl
// harborrobot rotate`, read by the hub's binding controller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harborrobot {

// Rotates every target namespace; the value is an RFC 3339 time.
inline constexpr std::string_view kRotateAllAnnotation = "harborrobot.io/rotate-requested-at";

// The key asking to rotate one namespace: "<ns>.rotate.harborrobot.io/requested-at".
// An annotation key is an optional DNS-subdomain prefix (at most 253
// characters) and a name of at most 63; the namespace (a DNS-1123 label of at
// most 63 characters) goes in the prefix, so the key is valid for every
// namespace: at most 63 + 22 characters of prefix, a fixed name.
std::string rotateAnnotationFor(std::string_view ns);

// The key of releases before 0.2, "harborrobot.io/rotate-requested-at.<ns>":
// read for one release, never written. Its name part overflows 63 characters
// for namespaces of 44 characters or more, so such keys cannot exist.
std::string legacyRotateAnnotationFor(std::string_view ns);

// The keys whose latest time is a rotation request for `ns`, in the order the
// hub reads them: every namespace, this namespace, the legacy key.
std::vector<std::string> rotateRequestKeysFor(std::string_view ns);

} // namespace harborrobot

// The rotate-request annotation keys: valid Kubernetes annotation keys for
// every valid namespace name, and the legacy key still read.
#include "harborrobot/model/rotate_annotation.h"

#include <regex>

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

// apimachinery pkg/util/validation/validation.go IsQualifiedName: an optional
// DNS-1123 subdomain prefix of at most 253 characters, '/', and a name of at
// most 63 characters matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
bool isQualifiedName(const std::string& key) {
  static const std::regex kName("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  static const std::regex kSubdomain(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  const auto slash = key.find('/');
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  if (name.empty() || name.size() > 63 || !std::regex_match(name, kName)) {
    return false;
  }
  if (slash == std::string::npos) {
    return true;
  }
  const std::string prefix = key.substr(0, slash);
  return !prefix.empty() && prefix.size() <= 253 && std::regex_match(prefix, kSubdomain);
}

TEST(RotateAnnotation, KeyIsValidForEveryNamespaceLength) {
  for (std::size_t length = 1; length <= 63; ++length) {
    const std::string ns = length == 1 ? "a" : "a" + std::string(length - 2, '-') + "z";
    const std::string key = rotateAnnotationFor(ns);
    EXPECT_TRUE(isQualifiedName(key)) << key;
  }
  EXPECT_EQ(rotateAnnotationFor("team-ns1"), "team-ns1.rotate.harborrobot.io/requested-at");
}

TEST(RotateAnnotation, TheLegacyKeyOverflowedFromFortyFourCharacters) {
  EXPECT_TRUE(isQualifiedName(legacyRotateAnnotationFor(std::string(43, 'a'))));
  EXPECT_FALSE(isQualifiedName(legacyRotateAnnotationFor(std::string(44, 'a'))));
  EXPECT_EQ(legacyRotateAnnotationFor("team-ns1"), "harborrobot.io/rotate-requested-at.team-ns1");
}

TEST(RotateAnnotation, TheHubReadsAllThenNewThenLegacyKeys) {
  EXPECT_EQ(rotateRequestKeysFor("ns"),
            (std::vector<std::string>{"harborrobot.io/rotate-requested-at",
                                      "ns.rotate.harborrobot.io/requested-at",
                                      "harborrobot.io/rotate-requested-at.ns"}));
  EXPECT_TRUE(isQualifiedName(std::string(kRotateAllAnnotation)));
}

} // namespace
} // namespace harborrobot

// Ties kAbiVersion to the content of the plugin interface headers, so the ABI
// version cannot silently drift from the interfaces plugins are compiled against.
#include "harborrobot/plugin/factory.h"

#include <gtest/gtest.h>

namespace harborrobot::plugin {
namespace {

// When this fails: decide whether the header change breaks binary compatibility
// with built plugins. If it does, bump kAbiVersion. Either way record the digest the
// failure prints here, next to the version it belongs to.
constexpr int kRecordedAbiVersion = 2;
constexpr const char* kRecordedDigest =
    "980d7779c2717b8b099d717867366ec3cc94218f2fe1f91385e3c154d45682c0";

TEST(PluginAbi, VersionIsTiedToInterfaceHeaders) {
  EXPECT_EQ(kAbiVersion, kRecordedAbiVersion);
  EXPECT_STREQ(HARBORROBOT_ABI_HEADERS_DIGEST, kRecordedDigest)
      << "the plugin interface headers changed; review kAbiVersion and record this digest in "
         "tests/unit/plugin/abi_test.cpp";
}

TEST(PluginAbi, KindNamesAreStable) {
  EXPECT_EQ(kindName(Kind::kProvider), "provider");
  EXPECT_EQ(kindName(Kind::kAliasPolicy), "alias-policy");
  EXPECT_EQ(kindName(Kind::kProjectResolver), "project-resolver");
}

} // namespace
} // namespace harborrobot::plugin

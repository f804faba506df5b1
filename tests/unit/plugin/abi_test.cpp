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
    "fa83f1c31dc6589fbebcfdbb465d9676288cfe87bb42f4afceb1fe0f444de2eb";

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

// The plugin host: each failure mode refused with its exact message, and the real
// alias-policy plugins loaded and used through it.
#include "harborrobot/plugin/host.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/fake_resolver.h"

namespace harborrobot::plugin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kPlugins = HARBORROBOT_PLUGIN_DIR;
const std::filesystem::path kFixtures = HARBORROBOT_PLUGIN_FIXTURES_DIR;

std::string refusal(Host& host, const std::filesystem::path& file) {
  auto loaded = host.load(file);
  EXPECT_FALSE(loaded.has_value()) << "expected " << file << " to be refused";
  return loaded ? std::string() : loaded.error().message();
}

TEST(PluginHost, RefusesMissingFile) {
  Host host;
  const auto file = kFixtures / "does_not_exist.so";
  auto loaded = host.load(file);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(loaded.error().message(), "loading plugin " + file.string() + ": no such file");
}

TEST(PluginHost, RefusesAFileThatIsNotALibrary) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("harborrobot-plugin-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "text.so";
  std::ofstream(file) << "not an ELF file\n";
  Host host;
  EXPECT_THAT(refusal(host, file),
              HasSubstr("loading plugin " + file.string() + ": cannot load the library: "));
  std::filesystem::remove_all(dir);
}

TEST(PluginHost, RefusesMissingAbiSymbol) {
  Host host;
  const auto file = kFixtures / "no_abi_symbol.so";
  EXPECT_EQ(refusal(host, file),
            "loading plugin " + file.string() +
                ": missing symbol harborrobot_plugin_abi_version (expected a plugin built with "
                "HARBORROBOT_PLUGIN from harborrobot/plugin/export.h)");
}

TEST(PluginHost, RefusesAbiMismatchNamingGotAndExpected) {
  Host host;
  const auto file = kFixtures / "abi_mismatch.so";
  EXPECT_EQ(refusal(host, file),
            "loading plugin " + file.string() + ": ABI version mismatch: got " +
                std::to_string(kAbiVersion + 1) + ", expected " + std::to_string(kAbiVersion));
}

TEST(PluginHost, RefusesMissingManifest) {
  Host host;
  const auto file = kFixtures / "no_manifest.so";
  EXPECT_EQ(refusal(host, file),
            "loading plugin " + file.string() +
                ": no factory manifest (expected HARBORROBOT_PLUGIN_FACTORIES_BEGIN … END)");
}

TEST(PluginHost, RefusesManifestOfAnotherBaseClass) {
  Host host;
  const auto file = kFixtures / "wrong_base.so";
  EXPECT_EQ(refusal(host, file), "loading plugin " + file.string() +
                                     ": its factory manifest is for another base class (expected "
                                     "factories deriving from harborrobot::plugin::Factory)");
}

TEST(PluginHost, RefusesFactoryOfAnotherKindThanDeclared) {
  Host host;
  const auto file = kFixtures / "kind_mismatch.so";
  EXPECT_EQ(refusal(host, file),
            "loading plugin " + file.string() +
                ": factory \"Fixture\" is a alias-policy but the plugin declares kind provider");
  EXPECT_TRUE(host.names(Kind::kAliasPolicy).empty());
  EXPECT_TRUE(host.names(Kind::kProvider).empty());
}

TEST(PluginHost, RefusesDuplicateNameAndKeepsTheFirst) {
  Host host;
  ASSERT_TRUE(host.load(kPlugins / "alias-policy-always.so"));
  const auto duplicate = kFixtures / "duplicate_always.so";
  auto loaded = host.load(duplicate);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(loaded.error().message(), "loading plugin " + duplicate.string() +
                                          ": alias-policy \"Always\" is already registered by " +
                                          (kPlugins / "alias-policy-always.so").string());
  EXPECT_THAT(host.names(Kind::kAliasPolicy), ElementsAre("Always"));
  EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(PluginHost, LoadsTheBuiltPluginDirectory) {
  Host host;
  auto loaded = host.loadDirectory(kPlugins);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_THAT(host.names(Kind::kAliasPolicy), ::testing::IsSupersetOf({"Always", "IfIPEqual"}));
  for (const auto& info : *loaded) {
    EXPECT_FALSE(info.name.empty());
    EXPECT_EQ(info.version, HARBORROBOT_VERSION);
  }
}

// Whether this process maps a file of that name (from /proc/self/maps).
bool mapped(const std::string& fileName) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.ends_with("/" + fileName)) {
      return true;
    }
  }
  return false;
}

TEST(PluginHost, KeepsOnlyTheKindsAskedForAndUnloadsTheRest) {
  ASSERT_FALSE(mapped("provider-harbor.so")) << "loaded before the test began";
  Host host;
  auto loaded = host.loadDirectory(kPlugins, {Kind::kAliasPolicy});
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_THAT(host.names(Kind::kAliasPolicy), ElementsAre("Always", "IfIPEqual"));
  EXPECT_TRUE(host.names(Kind::kProvider).empty());
  EXPECT_TRUE(host.names(Kind::kProjectResolver).empty());
  ASSERT_EQ(loaded->size(), 2u);
  for (const auto& info : *loaded) {
    EXPECT_EQ(info.kind, Kind::kAliasPolicy);
  }
  // Checked, then unloaded: nothing of the provider or the resolver stays mapped.
  EXPECT_FALSE(mapped("provider-harbor.so"));
  EXPECT_FALSE(mapped("project-resolver-jsonpath.so"));
  EXPECT_TRUE(mapped("alias-policy-if-ip-equal.so"));
}

TEST(PluginHost, APluginOfAnUnwantedKindIsStillChecked) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("harborrobot-kinds-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  std::filesystem::copy_file(kPlugins / "alias-policy-always.so", directory / "a.so");
  std::ofstream(directory / "b.so") << "not a shared object";
  Host host;
  auto loaded = host.loadDirectory(directory, {Kind::kAliasPolicy});
  std::filesystem::remove_all(directory);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find((directory / "b.so").string()), std::string::npos)
      << loaded.error().message();
}

TEST(PluginHost, UnknownNameListsWhatIsLoaded) {
  Host host;
  ASSERT_TRUE(host.load(kPlugins / "alias-policy-always.so"));
  auto policy = host.makeAliasPolicy("Sometimes");
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(policy.error().message(),
            "no alias-policy plugin named \"Sometimes\" (expected one of: Always)");
}

TEST(PluginHost, MissingDirectoryIsNamed) {
  Host host;
  auto loaded = host.loadDirectory("/nonexistent/plugins");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message(), "plugin directory /nonexistent/plugins: no such directory "
                                      "(set HARBORROBOT_PLUGIN_PATH or --plugin-dir)");
}

TEST(PluginHost, InstanceKeepsItsLibraryAliveAfterTheHostIsGone) {
  testing::FakeResolver resolver;
  auto host = std::make_unique<Host>();
  ASSERT_TRUE(host->load(kPlugins / "alias-policy-always.so"));
  auto policy = host->makeAliasPolicy("Always");
  ASSERT_TRUE(policy);
  host.reset();
  const AliasDecision decision = (*policy)->decide({"https://a", "https://b", {}}, resolver);
  EXPECT_EQ(decision.action, AliasAction::kGenerate);
}

TEST(PluginDirectory, EnvironmentWinsOverTheBinaryLocation) {
  EXPECT_EQ(defaultPluginDirectory("/opt/hr/bin/harborrobot-agent", "/etc/hr/plugins"),
            std::filesystem::path("/etc/hr/plugins"));
  EXPECT_EQ(defaultPluginDirectory("/opt/hr/bin/harborrobot-agent", nullptr),
            std::filesystem::path("/opt/hr/bin/../lib/harborrobot/plugins"));
  EXPECT_EQ(defaultPluginDirectory("/opt/hr/bin/harborrobot-agent", ""),
            std::filesystem::path("/opt/hr/bin/../lib/harborrobot/plugins"));
}

} // namespace
} // namespace harborrobot::plugin

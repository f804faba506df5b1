// Files and stdin named by flags.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/completion.h"
#include "harborrobot/cli/flag_files.h"

namespace harborrobot::cli {
namespace {

namespace fs = std::filesystem;

class TempDirectory {
public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "harborrobot-cli-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

TEST(FlagFiles, AFileWholeOrAnErrorNamingTheFlag) {
  TempDirectory dir;
  write(dir.path() / "ca.crt", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(readFlagFile("--ca-file", (dir.path() / "ca.crt").string(), "a PEM file").value(),
            "-----BEGIN CERTIFICATE-----\n");
  const auto missing = (dir.path() / "missing.crt").string();
  const auto none = readFlagFile("--ca-file", missing, "a PEM file");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "--ca-file: \"" + missing + "\" cannot be read (expected a PEM file)");
}

TEST(FlagFiles, ThePasswordFromStdinWithoutItsLineBreak) {
  std::istringstream echoed("s3cret\r\n");
  EXPECT_EQ(readPassword(echoed, "--password-stdin").value(), "s3cret");
  std::istringstream inner("two\nlines\n");
  EXPECT_EQ(readPassword(inner, "--password-stdin").value(), "two\nlines");
  std::istringstream empty("\n");
  const auto none = readPassword(empty, "--password-stdin");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "--password-stdin: is empty (expected the password on stdin)");
}

TEST(FlagFiles, TheImageArchiveBesideARelease) {
  TempDirectory dir;
  const auto binary = dir.path() / "bin" / "kubectl-harborrobot";
  const auto release = dir.path() / "share" / "harborrobot" / imageArchiveName();
  EXPECT_EQ(imageArchiveName(), "harborrobot-agent_" HARBORROBOT_VERSION "_linux_amd64.oci.tar");
  // Neither place holds it: the release place, for the error to name.
  EXPECT_EQ(defaultImageArchive(binary), release);
  write(dir.path() / "dist" / imageArchiveName(), "build tree");
  EXPECT_EQ(defaultImageArchive(binary), dir.path() / "dist" / imageArchiveName());
  write(release, "release");
  EXPECT_EQ(defaultImageArchive(binary), release);
}

TEST(FlagFiles, SizesInMebibytes) {
  EXPECT_EQ(mebibytes(0), "0.0 MiB");
  EXPECT_EQ(mebibytes(7'864'320), "7.5 MiB");
}

TEST(CompletionShim, TheShimNameAnswersKubectlsCompletion) {
  EXPECT_TRUE(launchedAsCompletionShim("/usr/local/bin/kubectl_complete-harborrobot"));
  EXPECT_TRUE(launchedAsCompletionShim("kubectl_complete-harborrobot"));
  EXPECT_FALSE(launchedAsCompletionShim("/usr/local/bin/kubectl-harborrobot"));
}

} // namespace
} // namespace harborrobot::cli

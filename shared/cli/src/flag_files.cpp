#include "harborrobot/cli/flag_files.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

namespace harborrobot::cli {

Result<std::string> readFlagFile(std::string_view flag, const std::string& path,
                                 std::string_view expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return makeError(fieldError(flag, path, "cannot be read", expected));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::string> readPassword(std::istream& in, std::string_view flag) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  if (text.empty()) {
    return makeError(fieldErrorWithoutValue(flag, "is empty", "the password on stdin"));
  }
  return text;
}

std::string imageArchiveName() {
  return fmt::format("harborrobot-agent_{}_linux_amd64.oci.tar", HARBORROBOT_VERSION);
}

std::filesystem::path defaultImageArchive(const std::filesystem::path& executable) {
  const auto prefix = executable.parent_path().parent_path();
  const auto release = prefix / "share" / "harborrobot" / imageArchiveName();
  std::error_code error;
  for (const auto& candidate : {release, prefix / "dist" / imageArchiveName()}) {
    if (std::filesystem::exists(candidate, error)) {
      return candidate;
    }
  }
  return release;
}

std::string mebibytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

} // namespace harborrobot::cli

// Files and stdin that flags name: a CA, a script, the release's image archive,
// a password piped in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot::cli {

// The whole file `path` that `flag` names; unreadable is an error naming the
// flag, the path and `expected` ("a PEM file").
[[nodiscard]] Result<std::string> readFlagFile(std::string_view flag, const std::string& path,
                                               std::string_view expected);

// A password piped on stdin (--password-stdin): everything read, without the
// line break `echo` or a here-string adds. Empty is an error naming `flag`.
[[nodiscard]] Result<std::string> readPassword(std::istream& in, std::string_view flag);

// The agent image's archive as a release carries it:
// harborrobot-agent_<version>_linux_amd64.oci.tar.
std::string imageArchiveName();

// Where that archive is for the binary at `executable`: share/harborrobot/
// beside its bin/ in a release, dist/ in a build tree; the release place when
// neither exists (the error then names it).
std::filesystem::path defaultImageArchive(const std::filesystem::path& executable);

// "12.3 MiB".
std::string mebibytes(std::uint64_t bytes);

} // namespace harborrobot::cli

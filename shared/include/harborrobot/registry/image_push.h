// Copying an OCI image (an OCI image layout in a tar archive, as `krew/image`
// writes it) into a registry through the OCI distribution API, for sites whose
// clusters reach only their own Harbor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/http/client.h"
#include "harborrobot/observability/secret.h"

namespace harborrobot::registry {

// REGISTRY/PROJECT[/NAME][:TAG]: where an image goes.
struct ImageDestination {
  std::string registry;   // host[:port]
  std::string repository; // project/name[/...]
  std::string tag;

  std::string text() const { return registry + "/" + repository + ":" + tag; }
};

// Fills NAME and TAG from the defaults when missing. The error names the value
// and the expected form.
[[nodiscard]] Result<ImageDestination> parseImageDestination(std::string_view text,
                                                             std::string_view defaultName,
                                                             std::string_view defaultTag);

struct OciBlob {
  std::string digest; // sha256:<hex>
  std::string mediaType;
  std::string data;
};

// The one image of an OCI layout: its manifest and the blobs it names (config
// first, then the layers in order), each checked against its digest and size.
struct OciImage {
  std::string manifest;
  std::string manifestMediaType;
  std::string manifestDigest;
  std::vector<OciBlob> blobs;
};

[[nodiscard]] Result<OciImage> parseOciArchive(std::string_view tarBytes);
[[nodiscard]] Result<OciImage> readOciArchive(const std::filesystem::path& path);

struct PushProgress {
  std::size_t index = 0; // 0 = config, 1.. = layers
  std::size_t count = 0;
  std::string digest;
  std::uint64_t sent = 0;
  std::uint64_t size = 0;
  bool skipped = false; // the registry already has it
};
using ProgressHandler = std::function<void(const PushProgress&)>;

struct PushOptions {
  std::optional<http::BasicAuth> credentials; // for the token service (or Basic)
  std::string scheme = "https";
  std::size_t chunkSize = 4 << 20;
  ProgressHandler onProgress;
};

struct PushResult {
  std::string reference; // registry/repository@digest
  std::size_t uploaded = 0;
  std::size_t skipped = 0;
};

// HEAD skips the blobs the registry has; the others go up as an upload session
// (POST, PATCH chunks, PUT ?digest=); then the manifest is PUT under the tag.
// The registry's challenge decides the authentication: Bearer (Harbor's token
// service, asked with the credentials for pull,push on the repository) or Basic.
// A failure names the blob ("layer 2/3 sha256:…") and the registry's answer.
[[nodiscard]] Result<PushResult> pushImage(http::Client& client, const OciImage& image,
                                           const ImageDestination& destination,
                                           const PushOptions& options);

} // namespace harborrobot::registry

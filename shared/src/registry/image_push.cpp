// The OCI archive reader and the registry push: the tar is read in memory (the
// image is tens of MiB), every blob checked against its digest before anything
// is sent; the push follows the OCI distribution spec's monolithic-in-chunks
// upload (POST, PATCH…, PUT ?digest=) that Harbor and docker-registry accept.
#include "harborrobot/registry/image_push.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/percent_encode.h"
#include "harborrobot/http/status_codes.h"
#include "harborrobot/observability/redact.h"

namespace harborrobot::registry {

namespace {

using nlohmann::json;

constexpr std::size_t kBlock = 512;

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

std::string cString(std::string_view field) {
  return std::string(field.substr(0, std::min(field.find('\0'), field.size())));
}

// Octal, or GNU base-256 when the first byte's top bit is set (files > 8 GiB).
Result<std::uint64_t> tarNumber(std::string_view field) {
  std::uint64_t value = 0;
  if (!field.empty() && (static_cast<unsigned char>(field[0]) & 0x80) != 0) {
    for (std::size_t i = 1; i < field.size(); ++i) {
      value = (value << 8) | static_cast<unsigned char>(field[i]);
    }
    return value;
  }
  for (char c : field) {
    if (c == '\0' || c == ' ') {
      if (value != 0) {
        break;
      }
      continue;
    }
    if (c < '0' || c > '7') {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("tar header: size field {:?} is not octal", cString(field)));
    }
    value = value * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// The `path` record of a pax extended header ("<len> path=<value>\n"...).
std::string paxPath(std::string_view records) {
  while (!records.empty()) {
    const auto space = records.find(' ');
    if (space == std::string_view::npos) {
      break;
    }
    std::size_t length = 0;
    try {
      length = std::stoul(std::string(records.substr(0, space)));
    } catch (const std::exception&) {
      break;
    }
    if (length == 0 || length > records.size()) {
      break;
    }
    auto record = records.substr(space + 1, length - space - 2); // without the newline
    if (record.starts_with("path=")) {
      return std::string(record.substr(5));
    }
    records.remove_prefix(length);
  }
  return {};
}

Result<std::map<std::string, std::string_view>> tarFiles(std::string_view tar) {
  std::map<std::string, std::string_view> files;
  std::string nextName;
  std::size_t offset = 0;
  while (offset + kBlock <= tar.size()) {
    const auto header = tar.substr(offset, kBlock);
    if (header.find_first_not_of('\0') == std::string_view::npos) {
      break; // the end-of-archive blocks
    }
    auto size = tarNumber(header.substr(124, 12));
    if (!size) {
      return makeError(size.error().withContext(fmt::format("at byte {}", offset)));
    }
    const char type = header[156];
    std::string name = cString(header.substr(0, 100));
    if (header.substr(257, 5) == "ustar") {
      const auto prefix = cString(header.substr(345, 155));
      if (!prefix.empty()) {
        name = prefix + "/" + name;
      }
    }
    offset += kBlock;
    if (offset + *size > tar.size()) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("the archive is truncated: {} needs {} bytes at byte {}", name,
                                   *size, offset));
    }
    const auto data = tar.substr(offset, *size);
    offset += (*size + kBlock - 1) / kBlock * kBlock;
    if (type == 'x') {
      nextName = paxPath(data);
      continue;
    }
    if (type == 'L') {
      nextName = cString(data);
      continue;
    }
    if (type == 'g') {
      continue;
    }
    if (!nextName.empty()) {
      name = std::move(nextName);
      nextName.clear();
    }
    while (name.starts_with("./")) {
      name.erase(0, 2);
    }
    if (type == '0' || type == '\0') {
      files[name] = data;
    }
  }
  return files;
}

Result<json> parseJson(std::string_view text, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& error) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is not JSON: {}", what, error.what()));
  }
}

Result<std::string_view> blobOf(const std::map<std::string, std::string_view>& files,
                                const json& descriptor, std::string_view what) {
  const auto digest = descriptor.value("digest", "");
  if (!digest.starts_with("sha256:") || digest.size() != 71) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: digest {:?} is not sha256:<64 hex>", what, digest));
  }
  const auto found = files.find("blobs/sha256/" + digest.substr(7));
  if (found == files.end()) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} {}: blobs/sha256/{} is not in the archive", what, digest,
                                 digest.substr(7)));
  }
  if (sha256Hex(found->second) != digest.substr(7)) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{} {}: the blob's content does not match its digest", what, digest));
  }
  if (descriptor.contains("size") && descriptor["size"].is_number_unsigned() &&
      descriptor["size"].get<std::uint64_t>() != found->second.size()) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} {}: {} bytes, but the descriptor says {}", what, digest,
                                 found->second.size(), descriptor["size"].dump()));
  }
  return found->second;
}

// ---- the registry side ---------------------------------------------------------

std::string blobName(std::size_t index, std::size_t count, std::string_view digest) {
  const auto shortDigest = std::string(digest.substr(0, std::min<std::size_t>(19, digest.size())));
  return index == 0 ? fmt::format("config {}", shortDigest)
                    : fmt::format("layer {}/{} {}", index, count - 1, shortDigest);
}

std::string answerOf(const http::Response& response) {
  std::string body = response.body.substr(0, 300);
  std::replace(body.begin(), body.end(), '\n', ' ');
  while (!body.empty() && body.back() == ' ') {
    body.pop_back();
  }
  return body.empty() ? fmt::format("HTTP {}", response.status)
                      : fmt::format("HTTP {}: {}", response.status, redactSecrets(body));
}

// `Bearer realm="…",service="…"` → {"scheme": "bearer", "realm": …, "service": …}.
std::map<std::string, std::string> parseChallenge(std::string_view header) {
  std::map<std::string, std::string> fields;
  const auto space = header.find(' ');
  std::string scheme(header.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  fields["scheme"] = scheme;
  if (space == std::string_view::npos) {
    return fields;
  }
  auto rest = header.substr(space + 1);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) {
      rest.remove_prefix(1);
    }
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos) {
      break;
    }
    std::string key(rest.substr(0, equals));
    rest.remove_prefix(equals + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      rest.remove_prefix(1);
      const auto close = rest.find('"');
      value = std::string(rest.substr(0, close));
      rest.remove_prefix(close == std::string_view::npos ? rest.size() : close + 1);
    } else {
      const auto comma = rest.find(',');
      value = std::string(rest.substr(0, comma));
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma);
    }
    fields[key] = value;
  }
  return fields;
}

class Session {
public:
  Session(http::Client& client, const ImageDestination& destination, const PushOptions& options)
      : client_(client), destination_(destination), options_(options),
        base_(options.scheme + "://" + destination.registry) {}

  Status authenticate() {
    auto probe = send("GET", base_ + "/v2/", {}, {});
    if (!probe) {
      return makeError(probe.error().withContext("reaching the registry"));
    }
    if (probe->status == 200) {
      return ok();
    }
    if (probe->status != 401) {
      return makeError(
          ErrorCode::kFailedPrecondition,
          fmt::format("GET {}/v2/: {} (not an OCI registry?)", base_, answerOf(*probe)));
    }
    const auto challenge = parseChallenge(
        probe->headers.count("WWW-Authenticate") != 0 ? probe->headers.at("WWW-Authenticate") : "");
    if (challenge.at("scheme") == "basic") {
      basic_ = true;
      return ok();
    }
    if (challenge.at("scheme") != "bearer" || challenge.count("realm") == 0) {
      return makeError(ErrorCode::kUnimplemented,
                       fmt::format("the registry asks for an authentication this client does "
                                   "not speak (WWW-Authenticate: {:?})",
                                   challenge.at("scheme")));
    }
    std::string url = challenge.at("realm");
    url += url.find('?') == std::string::npos ? "?" : "&";
    if (challenge.count("service") != 0) {
      url += "service=" + http::percentEncode(challenge.at("service")) + "&";
    }
    url += "scope=" + http::percentEncode("repository:" + destination_.repository + ":pull,push");
    http::Request request;
    request.url = url;
    request.basicAuth = options_.credentials;
    auto answer = client_.send(request);
    if (!answer) {
      return makeError(answer.error().withContext("asking the registry's token service"));
    }
    if (answer->status != 200) {
      return makeError(answer->status == 401 ? ErrorCode::kUnauthenticated
                                             : ErrorCode::kPermissionDenied,
                       fmt::format("the token service ({}) refused: {}", challenge.at("realm"),
                                   answerOf(*answer)));
    }
    auto body = parseJson(answer->body, "the token service's answer");
    if (!body) {
      return makeError(body.error());
    }
    token_ = SecretString(body->value("token", body->value("access_token", "")));
    if (token_.empty()) {
      return makeError(ErrorCode::kUnauthenticated, "the token service's answer has no token");
    }
    return ok();
  }

  Result<bool> has(const OciBlob& blob) {
    auto answer = send("HEAD", repositoryUrl() + "/blobs/" + blob.digest, {}, {});
    if (!answer) {
      return makeError(answer.error());
    }
    if (answer->status == 200) {
      return true;
    }
    if (answer->status == 404) {
      return false;
    }
    return makeError(statusCode(answer->status),
                     fmt::format("HEAD /blobs/{}: {}", blob.digest, answerOf(*answer)));
  }

  Status upload(const OciBlob& blob, const std::function<void(std::uint64_t)>& sent) {
    auto started = send("POST", repositoryUrl() + "/blobs/uploads/", {}, {});
    if (!started) {
      return makeError(started.error());
    }
    if (started->status != 202) {
      return makeError(statusCode(started->status),
                       fmt::format("POST /blobs/uploads/: {}", answerOf(*started)));
    }
    auto location = locationOf(*started);
    if (!location) {
      return makeError(location.error());
    }
    std::uint64_t offset = 0;
    const std::uint64_t size = blob.data.size();
    while (offset < size) {
      const auto length = std::min<std::uint64_t>(options_.chunkSize, size - offset);
      http::Headers headers{{"Content-Type", "application/octet-stream"},
                            {"Content-Range", fmt::format("{}-{}", offset, offset + length - 1)}};
      auto patched = send("PATCH", *location, headers, blob.data.substr(offset, length));
      if (!patched) {
        return makeError(patched.error());
      }
      if (patched->status != 202) {
        return makeError(
            statusCode(patched->status),
            fmt::format("PATCH bytes {}-{}: {}", offset, offset + length - 1, answerOf(*patched)));
      }
      location = locationOf(*patched);
      if (!location) {
        return makeError(location.error());
      }
      offset += length;
      sent(offset);
    }
    const auto separator = location->find('?') == std::string::npos ? "?" : "&";
    auto done = send("PUT", *location + separator + "digest=" + http::percentEncode(blob.digest),
                     {{"Content-Type", "application/octet-stream"}}, {});
    if (!done) {
      return makeError(done.error());
    }
    if (done->status != 201) {
      return makeError(statusCode(done->status),
                       fmt::format("PUT ?digest={}: {}", blob.digest, answerOf(*done)));
    }
    return ok();
  }

  Status putManifest(const OciImage& image) {
    auto answer = send("PUT", repositoryUrl() + "/manifests/" + destination_.tag,
                       {{"Content-Type", image.manifestMediaType}}, image.manifest);
    if (!answer) {
      return makeError(answer.error());
    }
    if (answer->status != 201 && answer->status != 200) {
      return makeError(statusCode(answer->status),
                       fmt::format("PUT /manifests/{}: {}", destination_.tag, answerOf(*answer)));
    }
    return ok();
  }

private:
  static ErrorCode statusCode(int status) {
    // A registry's other refusals (400 MANIFEST_INVALID, 409, 422, any other
    // 4xx) all mean that this push cannot succeed as it is, not that a caller's
    // input was malformed: kFailedPrecondition, on top of the shared mapping.
    if (status == 400 || status == 409 || status == 422) {
      return ErrorCode::kFailedPrecondition;
    }
    return http::errorCodeForStatus(status, ErrorCode::kFailedPrecondition);
  }

  std::string repositoryUrl() const { return base_ + "/v2/" + destination_.repository; }

  Result<std::string> locationOf(const http::Response& response) const {
    const auto found = response.headers.find("Location");
    if (found == response.headers.end() || found->second.empty()) {
      return makeError(ErrorCode::kFailedPrecondition,
                       fmt::format("the registry's {} answer has no Location", response.status));
    }
    const auto& location = found->second;
    if (location.starts_with("http://") || location.starts_with("https://")) {
      return location;
    }
    return base_ + (location.starts_with("/") ? "" : "/") + location;
  }

  Result<http::Response> send(const std::string& method, const std::string& url,
                              const http::Headers& headers, std::string body) {
    http::Request request;
    request.method = method;
    request.url = url;
    request.headers = headers;
    request.body = std::move(body);
    request.timeout = std::chrono::minutes(2);
    if (!token_.empty()) {
      request.headers["Authorization"] = "Bearer " + std::string(token_.reveal());
    } else if (basic_) {
      request.basicAuth = options_.credentials;
    }
    return client_.send(request);
  }

  http::Client& client_;
  const ImageDestination& destination_;
  const PushOptions& options_;
  std::string base_;
  SecretString token_;
  bool basic_ = false;
};

bool validRepositoryPart(std::string_view part) {
  // The distribution spec's path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
  if (part.empty() || !std::isalnum(static_cast<unsigned char>(part.front())) ||
      !std::isalnum(static_cast<unsigned char>(part.back()))) {
    return false;
  }
  return std::all_of(part.begin(), part.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

} // namespace

Result<ImageDestination> parseImageDestination(std::string_view text, std::string_view defaultName,
                                               std::string_view defaultTag) {
  const auto expected = "is not REGISTRY/PROJECT[/NAME][:TAG] (e.g. harbor.example.com/library)";
  std::string value(text);
  if (value.find("://") != std::string::npos || value.find('@') != std::string::npos) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("image destination {:?} {}", value, expected));
  }
  ImageDestination destination;
  const auto slash = value.find('/');
  if (slash == std::string::npos || slash == 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("image destination {:?} {}", value, expected));
  }
  destination.registry = value.substr(0, slash);
  std::string path = value.substr(slash + 1);
  const auto colon = path.rfind(':');
  if (colon != std::string::npos) {
    destination.tag = path.substr(colon + 1);
    path.resize(colon);
  } else {
    destination.tag = std::string(defaultTag);
  }
  std::vector<std::string> parts;
  std::stringstream split(path);
  for (std::string part; std::getline(split, part, '/');) {
    parts.push_back(part);
  }
  if (parts.empty() || std::any_of(parts.begin(), parts.end(),
                                   [](const auto& part) { return !validRepositoryPart(part); })) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("image destination {:?} {} (lower-case names)", value, expected));
  }
  if (parts.size() == 1) {
    parts.emplace_back(defaultName);
  }
  for (const auto& part : parts) {
    destination.repository += (destination.repository.empty() ? "" : "/") + part;
  }
  const bool tagOk = !destination.tag.empty() && destination.tag.size() <= 128 &&
                     std::all_of(destination.tag.begin(), destination.tag.end(),
                                 [](char c) {
                                   return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                          c == '.' || c == '-';
                                 }) &&
                     destination.tag.front() != '.' && destination.tag.front() != '-';
  if (!tagOk) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("image destination {:?}: tag {:?} is not a tag "
                    "([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}) in REGISTRY/PROJECT[/NAME][:TAG]",
                    value, destination.tag));
  }
  return destination;
}

Result<OciImage> parseOciArchive(std::string_view tarBytes) {
  auto files = tarFiles(tarBytes);
  if (!files) {
    return makeError(files.error());
  }
  const auto indexFile = files->find("index.json");
  if (indexFile == files->end() || files->count("oci-layout") == 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "not an OCI image layout: index.json or oci-layout is missing");
  }
  auto index = parseJson(indexFile->second, "index.json");
  if (!index) {
    return makeError(index.error());
  }
  const auto manifests = index->value("manifests", json::array());
  if (manifests.size() != 1) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("index.json lists {} manifests; expected one image", manifests.size()));
  }
  auto manifestBytes = blobOf(*files, manifests[0], "manifest");
  if (!manifestBytes) {
    return makeError(manifestBytes.error());
  }
  auto manifest = parseJson(*manifestBytes, "the manifest");
  if (!manifest) {
    return makeError(manifest.error());
  }
  OciImage image;
  image.manifest = std::string(*manifestBytes);
  image.manifestDigest = manifests[0].value("digest", "");
  image.manifestMediaType = manifest->value(
      "mediaType", manifests[0].value("mediaType", "application/vnd.oci.image.manifest.v1+json"));
  if (!manifest->contains("config") || !(*manifest)["config"].is_object()) {
    return makeError(ErrorCode::kInvalidArgument, "the manifest has no config");
  }
  std::vector<json> descriptors{(*manifest)["config"]};
  for (const auto& layer : manifest->value("layers", json::array())) {
    descriptors.push_back(layer);
  }
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    auto data =
        blobOf(*files, descriptors[i], i == 0 ? std::string("config") : fmt::format("layer {}", i));
    if (!data) {
      return makeError(data.error());
    }
    image.blobs.push_back({descriptors[i].value("digest", ""),
                           descriptors[i].value("mediaType", ""), std::string(*data)});
  }
  return image;
}

Result<OciImage> readOciArchive(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kNotFound, fmt::format("{}: cannot be opened", path.string()));
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto image = parseOciArchive(bytes.str());
  if (!image) {
    return makeError(image.error().withContext(path.string()));
  }
  return image;
}

Result<PushResult> pushImage(http::Client& client, const OciImage& image,
                             const ImageDestination& destination, const PushOptions& options) {
  Session session(client, destination, options);
  if (auto status = session.authenticate(); !status) {
    return makeError(status.error().withContext(fmt::format("pushing to {}", destination.text())));
  }
  PushResult result;
  const auto count = image.blobs.size();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& blob = image.blobs[i];
    const auto context =
        fmt::format("pushing {} to {}", blobName(i, count, blob.digest), destination.text());
    PushProgress progress{i, count, blob.digest, 0, blob.data.size(), false};
    auto present = session.has(blob);
    if (!present) {
      return makeError(present.error().withContext(context));
    }
    if (*present) {
      progress.sent = progress.size;
      progress.skipped = true;
      ++result.skipped;
      if (options.onProgress) {
        options.onProgress(progress);
      }
      continue;
    }
    if (options.onProgress) {
      options.onProgress(progress);
    }
    auto uploaded = session.upload(blob, [&](std::uint64_t sent) {
      progress.sent = sent;
      if (options.onProgress) {
        options.onProgress(progress);
      }
    });
    if (!uploaded) {
      return makeError(uploaded.error().withContext(context));
    }
    ++result.uploaded;
  }
  if (auto status = session.putManifest(image); !status) {
    return makeError(status.error().withContext(
        fmt::format("pushing {}: the manifest {}", destination.text(), image.manifestDigest)));
  }
  result.reference =
      destination.registry + "/" + destination.repository + "@" + image.manifestDigest;
  return result;
}

} // namespace harborrobot::registry

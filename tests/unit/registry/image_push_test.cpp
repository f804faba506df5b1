// The OCI archive reader and the registry push, against an in-process HTTPS
// registry that speaks the distribution API with Harbor's token flow.
#include "harborrobot/registry/image_push.h"

#include <openssl/evp.h>

#include <map>
#include <mutex>
#include <sstream>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harborrobot/http/https_client.h"
#include "harborrobot/util/base64.h"
#include "mocks/https_test_server.h"

namespace harborrobot::registry {
namespace {

using nlohmann::json;

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return "sha256:" + hex;
}

// A ustar archive of regular files, as Python's tarfile writes them.
std::string tarOf(const std::map<std::string, std::string>& files) {
  std::string tar;
  for (const auto& [name, data] : files) {
    std::string header(512, '\0');
    name.copy(header.data(), name.size());
    fmt::format_to_n(header.data() + 100, 7, "{:07o}", 0644);
    fmt::format_to_n(header.data() + 124, 11, "{:011o}", data.size());
    fmt::format_to_n(header.data() + 136, 11, "{:011o}", 0);
    header[156] = '0';
    std::string("ustar\0"
                "00",
                8)
        .copy(header.data() + 257, 8);
    std::fill(header.begin() + 148, header.begin() + 156, ' ');
    unsigned sum = 0;
    for (unsigned char c : header) {
      sum += c;
    }
    fmt::format_to_n(header.data() + 148, 7, "{:06o}", sum);
    tar += header + data + std::string((512 - data.size() % 512) % 512, '\0');
  }
  return tar + std::string(1024, '\0');
}

struct TestImage {
  std::string archive;
  std::string manifestDigest;
  std::vector<std::string> blobDigests; // config, layers
};

TestImage makeImage(const std::vector<std::string>& layers) {
  std::map<std::string, std::string> files;
  TestImage image;
  const std::string config = R"({"architecture":"amd64","os":"linux"})";
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", sha256(config)},
                     {"size", config.size()}}},
                   {"layers", json::array()}};
  files["blobs/sha256/" + sha256(config).substr(7)] = config;
  image.blobDigests.push_back(sha256(config));
  for (const auto& layer : layers) {
    manifest["layers"].push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                  {"digest", sha256(layer)},
                                  {"size", layer.size()}});
    files["blobs/sha256/" + sha256(layer).substr(7)] = layer;
    image.blobDigests.push_back(sha256(layer));
  }
  const auto manifestText = manifest.dump();
  image.manifestDigest = sha256(manifestText);
  files["blobs/sha256/" + image.manifestDigest.substr(7)] = manifestText;
  files["oci-layout"] = R"({"imageLayoutVersion":"1.0.0"})";
  files["index.json"] = json{{"schemaVersion", 2},
                             {"manifests",
                              {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                {"digest", image.manifestDigest},
                                {"size", manifestText.size()}}}}}
                            .dump();
  image.archive = tarOf(files);
  return image;
}

// A registry with a Harbor-like token service at /service/token.
class FakeRegistry {
public:
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::lock_guard lock(mutex_);
    const auto uri = request.getURI();
    const auto method = request.getMethod();
    requests.push_back(method + " " + uri.substr(0, uri.find('?')));
    auto reply = [&](int status, const std::string& text = "") {
      response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
      response.setContentLength(static_cast<std::streamsize>(text.size()));
      response.send() << text;
    };
    if (uri.starts_with("/service/token")) {
      const auto expected = "Basic " + base64Encode("robot$ci:secret");
      if (!request.has("Authorization") || request.get("Authorization") != expected) {
        reply(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"invalid credentials"}]})");
        return;
      }
      scopes.push_back(uri);
      reply(200, R"({"token":"t0k3n"})");
      return;
    }
    if (!request.has("Authorization") || request.get("Authorization") != "Bearer t0k3n") {
      response.set(
          "WWW-Authenticate",
          fmt::format(R"(Bearer realm="{}/service/token",service="harbor-registry")", base));
      reply(401, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
      return;
    }
    if (uri == "/v2/") {
      reply(200, "{}");
      return;
    }
    const std::string prefix = "/v2/library/harborrobot-agent/";
    if (!uri.starts_with(prefix)) {
      reply(404);
      return;
    }
    const auto rest = uri.substr(prefix.size());
    if (method == "HEAD" && rest.starts_with("blobs/")) {
      reply(blobs.count(rest.substr(6)) != 0 ? 200 : 404);
    } else if (method == "POST" && rest == "blobs/uploads/") {
      const auto id = fmt::format("u{}", ++uploadsStarted);
      uploads[id] = "";
      response.set("Location", prefix + "blobs/uploads/" + id + "?_state=x");
      reply(202);
    } else if (method == "PATCH" && rest.starts_with("blobs/uploads/")) {
      const auto id = rest.substr(14, rest.find('?') - 14);
      uploads[id] += body;
      ++patches;
      response.set("Location", prefix + "blobs/uploads/" + id + "?_state=y");
      reply(202);
    } else if (method == "PUT" && rest.starts_with("blobs/uploads/")) {
      const auto id = rest.substr(14, rest.find('?') - 14);
      const auto digest = rest.substr(rest.find("digest=") + 7);
      const auto decoded = digest.substr(0, 6) + ":" + digest.substr(9); // sha256%3A…
      if (failPut) {
        reply(400, R"({"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"quota exceeded"}]})");
        return;
      }
      if (sha256(uploads[id]) != decoded) {
        reply(400, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
        return;
      }
      blobs[decoded] = uploads[id];
      reply(201);
    } else if (method == "PUT" && rest.starts_with("manifests/")) {
      manifests[rest.substr(10)] = body;
      manifestTypes[rest.substr(10)] = request.getContentType();
      reply(201);
    } else {
      reply(405);
    }
  }

  std::mutex mutex_;
  std::string base;
  std::vector<std::string> requests;
  std::vector<std::string> scopes;
  std::map<std::string, std::string> blobs;
  std::map<std::string, std::string> uploads;
  std::map<std::string, std::string> manifests;
  std::map<std::string, std::string> manifestTypes;
  int uploadsStarted = 0;
  int patches = 0;
  bool failPut = false;
};

struct Fixture {
  FakeRegistry registry;
  testing::HttpsTestServer server{
      [this](auto& request, auto& response, const auto&) { registry.handle(request, response); }};
  http::HttpsClient client{[this] {
    http::ClientOptions options;
    options.tls.caPem = server.authority().ca().certificatePem;
    return options;
  }()};

  Fixture() { registry.base = server.url(); }

  ImageDestination destination() const {
    return {server.url().substr(std::string("https://").size()), "library/harborrobot-agent",
            "0.1.0"};
  }

  PushOptions options(std::string password = "secret") const {
    PushOptions result;
    result.credentials = http::BasicAuth{"robot$ci", SecretString(std::move(password))};
    result.chunkSize = 1000;
    return result;
  }
};

TEST(ImageDestination, FillsNameAndTag) {
  auto parsed = parseImageDestination("harbor.example.com/library", "harborrobot-agent", "0.1.0");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->text(), "harbor.example.com/library/harborrobot-agent:0.1.0");
  parsed = parseImageDestination("harbor.example.com:8443/team/agents/agent:v2", "x", "y");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->registry, "harbor.example.com:8443");
  EXPECT_EQ(parsed->repository, "team/agents/agent");
  EXPECT_EQ(parsed->tag, "v2");
}

TEST(ImageDestination, RejectsWhatIsNotADestination) {
  for (const auto* text :
       {"harbor.example.com", "https://harbor.example.com/library", "harbor.example.com/Library",
        "harbor.example.com/library:", "harbor.example.com/library@sha256:00"}) {
    auto parsed = parseImageDestination(text, "harborrobot-agent", "0.1.0");
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("REGISTRY/PROJECT[/NAME][:TAG]"), std::string::npos)
        << parsed.error().message();
  }
}

TEST(OciArchive, ReadsTheImageAndChecksDigests) {
  const auto image = makeImage({"layer one", "layer two"});
  auto parsed = parseOciArchive(image.archive);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->manifestDigest, image.manifestDigest);
  ASSERT_EQ(parsed->blobs.size(), 3U);
  EXPECT_EQ(parsed->blobs[0].digest, image.blobDigests[0]);
  EXPECT_EQ(parsed->blobs[2].data, "layer two");

  auto corrupt = image.archive;
  corrupt.replace(corrupt.find("layer two"), 9, "layer 2!!");
  auto refused = parseOciArchive(corrupt);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("layer 2 " + image.blobDigests[2] +
                                           ": the blob's content does not match its digest"),
            std::string::npos)
      << refused.error().message();
  auto notLayout = parseOciArchive(tarOf({{"hello.txt", "hi"}}));
  ASSERT_FALSE(notLayout);
  EXPECT_NE(notLayout.error().message().find("not an OCI image layout"), std::string::npos);
}

TEST(ImagePush, UploadsEveryBlobInChunksThroughTheTokenFlow) {
  Fixture f;
  const auto image = makeImage({std::string(2500, 'a'), "small layer"});
  auto parsed = parseOciArchive(image.archive);
  ASSERT_TRUE(parsed);
  std::vector<std::string> progress;
  auto options = f.options();
  options.onProgress = [&](const PushProgress& p) {
    progress.push_back(fmt::format("{}/{} {}/{}{}", p.index, p.count, p.sent, p.size,
                                   p.skipped ? " skipped" : ""));
  };
  auto pushed = pushImage(f.client, *parsed, f.destination(), options);
  ASSERT_TRUE(pushed) << pushed.error().message();
  EXPECT_EQ(pushed->uploaded, 3U);
  EXPECT_EQ(pushed->skipped, 0U);
  EXPECT_EQ(pushed->reference,
            f.destination().registry + "/library/harborrobot-agent@" + image.manifestDigest);
  EXPECT_EQ(f.registry.manifests.at("0.1.0"), parsed->manifest);
  EXPECT_EQ(f.registry.manifestTypes.at("0.1.0"), "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(f.registry.blobs.at(image.blobDigests[1]), std::string(2500, 'a'));
  EXPECT_EQ(f.registry.patches, 5); // 1 + 3 + 1 chunks of at most 1000 bytes
  ASSERT_EQ(f.registry.scopes.size(), 1U);
  EXPECT_NE(
      f.registry.scopes[0].find("scope=repository%3Alibrary%2Fharborrobot-agent%3Apull%2Cpush"),
      std::string::npos)
      << f.registry.scopes[0];
  EXPECT_NE(std::find(progress.begin(), progress.end(), "1/3 2000/2500"), progress.end());
  EXPECT_NE(std::find(progress.begin(), progress.end(), "1/3 2500/2500"), progress.end());

  // Again: HEAD finds every blob, only the manifest is written.
  f.registry.requests.clear();
  progress.clear();
  pushed = pushImage(f.client, *parsed, f.destination(), options);
  ASSERT_TRUE(pushed) << pushed.error().message();
  EXPECT_EQ(pushed->skipped, 3U);
  EXPECT_EQ(std::count_if(f.registry.requests.begin(), f.registry.requests.end(),
                          [](const auto& r) { return r.starts_with("PATCH"); }),
            0);
  EXPECT_EQ(progress.back(), "2/3 11/11 skipped");
}

TEST(ImagePush, NamesTheLayerAndTheRegistrysAnswer) {
  Fixture f;
  const auto image = makeImage({"only layer"});
  auto parsed = parseOciArchive(image.archive);
  ASSERT_TRUE(parsed);
  f.registry.blobs[image.blobDigests[0]] = "config already there";
  f.registry.failPut = true;
  auto pushed = pushImage(f.client, *parsed, f.destination(), f.options());
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().code(), ErrorCode::kFailedPrecondition);
  const auto& message = pushed.error().message();
  EXPECT_NE(message.find("pushing layer 1/1 " + image.blobDigests[1].substr(0, 19) + " to " +
                         f.destination().text()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("HTTP 400: {\"errors\":[{\"code\":\"BLOB_UPLOAD_INVALID\",\"message\":"
                         "\"quota exceeded\"}]}"),
            std::string::npos)
      << message;
}

TEST(ImagePush, ATokenRefusalSaysSo) {
  Fixture f;
  auto parsed = parseOciArchive(makeImage({"x"}).archive);
  ASSERT_TRUE(parsed);
  auto pushed = pushImage(f.client, *parsed, f.destination(), f.options("wrong"));
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(pushed.error().message().find("the token service (" + f.server.url() +
                                          "/service/token) refused: HTTP 401"),
            std::string::npos)
      << pushed.error().message();
  EXPECT_EQ(pushed.error().message().find("wrong"), std::string::npos);
}

} // namespace
} // namespace harborrobot::registry

#include "hub_client.h"

namespace harborrobot::agent::namespace_role {

namespace {

http::ClientOptions optionsFor(const std::filesystem::path& caFile) {
  http::ClientOptions options;
  options.tls.caFile = caFile.string();
  return options;
}

} // namespace

HubClient::HubClient(std::string baseUrl, std::string ns, const std::filesystem::path& caFile,
                     std::filesystem::path tokenFile)
    : http_(std::make_unique<http::HttpsClient>(optionsFor(caFile))), tokens_(std::move(tokenFile)),
      calls_(*http_, std::move(baseUrl), std::move(ns), tokens_) {}

} // namespace harborrobot::agent::namespace_role

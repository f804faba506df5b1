// Fuzzes the hub API's request and answer parsers (reconcile/hub_protocol.h):
// no crash, a parsed message survives its own JSON round trip, and no error
// ever quotes a credential's secret.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harborrobot/reconcile/hub_protocol.h"
#include "harborrobot/util/json_text.h"

namespace {

template <class Parse> void roundTrip(const nlohmann::json& json, Parse parse) {
  auto parsed = parse(json);
  if (!parsed) {
    return;
  }
  const auto again = parse(nlohmann::json::parse(
      harborrobot::jsonText(harborrobot::reconcile::toJson(*parsed)), nullptr, false));
  if (!again) {
    std::abort(); // what we wrote, we must read back
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harborrobot::reconcile;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return 0;
  }
  roundTrip(json, [](const nlohmann::json& j) { return parseBindingList(j); });
  roundTrip(json, [](const nlohmann::json& j) { return parseCredentialRequest(j); });
  roundTrip(json, [](const nlohmann::json& j) { return parseActivation(j); });
  const auto issued = parseIssuedCredential(json);
  if (!issued) {
    // The secret: the `secret` member, or the whole body when it is a bare
    // string (a broken hub's answer). Other members may be quoted, so the check
    // holds when the secret's text appears nowhere else in the document.
    const std::string& message = issued.error().message();
    std::string secret;
    if (json.is_string()) {
      secret = json.get<std::string>();
    } else if (json.is_object() && json.contains("secret") && json["secret"].is_string()) {
      secret = json["secret"].get<std::string>();
    }
    const auto first = text.find(secret);
    const bool once =
        first != std::string_view::npos && text.find(secret, first + 1) == std::string_view::npos;
    if (secret.size() >= 6 && (once || json.is_string()) &&
        message.find(secret) != std::string::npos) {
      std::abort(); // an error must never quote the secret
    }
  }
  if (issued) {
    (void)harborrobot::jsonText(toJson(*issued));
  }
  return 0;
}

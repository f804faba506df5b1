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
    // string (a broken hub's answer). A message may contain the secret's text
    // by chance (its own wording, another member's value), so the check is
    // differential: the secret replaced by a marker of the same length must
    // show up as that marker for the message to count as quoting it.
    nlohmann::json marked = json;
    std::string secret;
    if (json.is_string()) {
      secret = json.get<std::string>();
      marked = std::string(secret.size(), 'Q');
    } else if (json.is_object() && json.contains("secret") && json["secret"].is_string()) {
      secret = json["secret"].get<std::string>();
      marked["secret"] = std::string(secret.size(), 'Q');
    }
    const std::string marker(secret.size(), 'Q');
    if (secret.size() >= 6 && issued.error().message().find(secret) != std::string::npos) {
      const auto again = parseIssuedCredential(marked);
      if (!again && again.error().message().find(marker) != std::string::npos) {
        std::abort(); // an error must never quote the secret
      }
    }
  }
  if (issued) {
    (void)harborrobot::jsonText(toJson(*issued));
  }
  return 0;
}

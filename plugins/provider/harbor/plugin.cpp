// Exports the Harbor provider as the plugin "harbor".
#include "harbor_provider.h"
#include "harborrobot/plugin/export.h"

namespace harborrobot::plugins::harbor {

class HarborProviderFactory final : public plugin::ProviderFactory {
public:
  std::string name() const override { return "harbor"; }
  Result<std::unique_ptr<plugin::Provider>> create(plugin::ProviderConfig config,
                                                   http::Client& client) const override {
    if (!config.url.starts_with("https://") && !config.url.starts_with("http://")) {
      return makeError(fieldError("url", config.url, "is not an http(s) URL",
                                  "e.g. https://harbor.example.com"));
    }
    return std::make_unique<HarborProvider>(std::move(config), client);
  }
};

} // namespace harborrobot::plugins::harbor

HARBORROBOT_PLUGIN("provider", "harbor", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::plugins::harbor::HarborProviderFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

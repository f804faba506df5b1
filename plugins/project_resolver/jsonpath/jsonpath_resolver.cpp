// The "jsonpath" project-name resolver (Alauda's Generator documentation): the connection Secret's
// harbor-robot-gen/projectFieldsPath is a kubectl JSONPath template evaluated on
// each Namespace; its text is the project name. A namespace without the field
// has no project (nullopt), which is not an error: most namespaces carry none.
#include <nlohmann/json.hpp>

#include "harborrobot/jsonpath/jsonpath.h"
#include "harborrobot/plugin/export.h"
#include "harborrobot/plugin/project_resolver.h"

namespace harborrobot::plugins::jsonpath_resolver {

class JsonPathResolver final : public plugin::ProjectNameResolver {
public:
  explicit JsonPathResolver(jsonpath::Template expression) : expression_(std::move(expression)) {}

  Result<std::optional<std::string>> resolve(const nlohmann::json& namespaceObject) const override {
    auto text = expression_.execute(namespaceObject);
    if (!text) {
      if (text.error().code() == ErrorCode::kNotFound) {
        return std::optional<std::string>();
      }
      return tl::unexpected(text.error());
    }
    if (text->empty()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(std::move(*text));
  }

private:
  jsonpath::Template expression_;
};

class JsonPathResolverFactory final : public plugin::ProjectResolverFactory {
public:
  std::string name() const override { return "jsonpath"; }
  Result<std::unique_ptr<plugin::ProjectNameResolver>>
  create(std::string_view expression) const override {
    auto parsed = jsonpath::Template::parse(expression);
    if (!parsed) {
      return tl::unexpected(parsed.error());
    }
    return std::unique_ptr<plugin::ProjectNameResolver>(
        std::make_unique<JsonPathResolver>(std::move(*parsed)));
  }
};

} // namespace harborrobot::plugins::jsonpath_resolver

HARBORROBOT_PLUGIN("project-resolver", "jsonpath", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::plugins::jsonpath_resolver::JsonPathResolverFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

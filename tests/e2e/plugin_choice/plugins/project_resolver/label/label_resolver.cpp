// A test project-name resolver, "label": its expression is a label key (not a
// JSONPath template) and a namespace's project is that label's value; a
// namespace without the label has none. A JSONPath template is refused, so
// e2e.plugin_choice can tell which resolver read the connection.
#include <nlohmann/json.hpp>

#include "harborrobot/model/label_selector.h"
#include "harborrobot/plugin/export.h"
#include "harborrobot/plugin/project_resolver.h"

namespace harborrobot::tests::plugin_choice::label {

class LabelResolver final : public plugin::ProjectNameResolver {
public:
  explicit LabelResolver(std::string key) : key_(std::move(key)) {}

  Result<std::optional<std::string>> resolve(const nlohmann::json& namespaceObject) const override {
    const auto labels = namespaceObject.value("/metadata/labels"_json_pointer, nlohmann::json());
    if (!labels.is_object() || !labels.contains(key_) || !labels[key_].is_string() ||
        labels[key_].get<std::string>().empty()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(labels[key_].get<std::string>());
  }

private:
  std::string key_;
};

class LabelResolverFactory final : public plugin::ProjectResolverFactory {
public:
  std::string name() const override { return "label"; }
  Result<std::unique_ptr<plugin::ProjectNameResolver>>
  create(std::string_view expression) const override {
    if (auto valid = validateLabelKey(expression, "expression"); !valid) {
      return tl::unexpected(valid.error());
    }
    return std::unique_ptr<plugin::ProjectNameResolver>(
        std::make_unique<LabelResolver>(std::string(expression)));
  }
};

} // namespace harborrobot::tests::plugin_choice::label

HARBORROBOT_PLUGIN("project-resolver", "label", HARBORROBOT_VERSION)
HARBORROBOT_PLUGIN_FACTORIES_BEGIN
HARBORROBOT_PLUGIN_FACTORY(harborrobot::tests::plugin_choice::label::LabelResolverFactory)
HARBORROBOT_PLUGIN_FACTORIES_END

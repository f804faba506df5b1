// Project-name resolvers turn a Namespace object into the name of the registry
// project it belongs to (the Generator documentation's harbor-robot-gen/projectFieldsPath). The
// result is validated as a project name by the caller; a bad value becomes an
// event on the namespace, never a crash.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/plugin/factory.h"

namespace harborrobot::plugin {

class ProjectNameResolver {
public:
  virtual ~ProjectNameResolver();
  // The project name for this namespace, or nullopt when the namespace does not
  // carry one (e.g. the label is absent). An error means the expression could not
  // be evaluated on this object.
  [[nodiscard]] virtual Result<std::optional<std::string>>
  resolve(const nlohmann::json& namespaceObject) const = 0;
};

class ProjectResolverFactory : public Factory {
public:
  ~ProjectResolverFactory() override;
  Kind kind() const final { return Kind::kProjectResolver; }
  // `expression` is the resolver's configuration, e.g. a JSONPath template; a
  // malformed one is refused here, once, with a message naming it.
  [[nodiscard]] virtual Result<std::unique_ptr<ProjectNameResolver>>
  create(std::string_view expression) const = 0;
};

} // namespace harborrobot::plugin

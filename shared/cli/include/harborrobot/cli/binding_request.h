// What `kubectl harborrobot bind` writes: a HarborRobotBinding in exactly the
// shape of the Harbor Robot Account Generator's documentation, built from the
// command's flags and checked by the core's parser before anything is sent.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/wire_names.h"

namespace harborrobot::cli {

struct BindingRequest {
  std::string name{};
  std::string project{};
  std::vector<std::string> namespaces{}; // --namespaces a,b
  std::string selector{};                // or --selector as kubectl -l takes it
  std::string connection = "harbor";
  std::string connectionNamespace = std::string(wire::kSystemNamespace);
  std::vector<std::string> access = {"pull"};
  std::string secretName{}; // default: <name>-harbor-pull
  std::string serviceAccount = "default";
  std::string refresh = "6h";
};

// pull → repository:pull, push → repository:push, or RESOURCE:ACTION as Harbor
// names them; a permission Harbor does not grant project robots names --access.
[[nodiscard]] Result<nlohmann::json> robotAccessList(const std::vector<std::string>& access);

// --selector ("team=a,env in (prod,staging),!legacy") in the documentation's
// structured form: matchLabels, and matchExpressions for what matchLabels
// cannot say. An empty selector is refused: a binding's empty selector targets
// no namespace at all.
[[nodiscard]] Result<nlohmann::json> namespaceSelector(const std::string& text);

// The binding, or the first error naming its flag (or, from the core's parser,
// the binding's field).
[[nodiscard]] Result<nlohmann::json> buildBinding(const BindingRequest& request);

} // namespace harborrobot::cli

// HarborRobotBinding (harbor-robot-gen.alaudadevops.alauda.io/v1alpha1), parsed
// and validated from YAML or JSON. Every binding of Alauda's Generator documentation parses as
// written.
//
// Optional additions (absent from the Generator's documentation, whose YAML needs none of them):
//   spec.rotation.gracePeriod   Go duration, default 5m: how long a superseded
//                               robot lives on after its successor is active.
//   spec.harbor.robot.duration  Go duration, default 2 × refreshInterval rounded
//                               up to whole days: the robot's backstop expiry.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harborrobot/core/result.h"
#include "harborrobot/model/label_selector.h"

namespace harborrobot {

inline constexpr std::string_view kBindingApiVersion =
    "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1";
inline constexpr std::string_view kBindingKind = "HarborRobotBinding";

struct RobotAccess {
  std::string action{};
  std::string resource{};
  bool operator==(const RobotAccess&) const = default;
};

struct BindingSpec {
  std::vector<std::string> namespaceNames{};
  std::optional<LabelSelector> namespaceSelector{}; // absent, or with requirements
  std::string generatedSecretName{};
  std::string serviceAccountName{}; // empty: only the Secret is generated
  std::string project{};
  std::vector<RobotAccess> access{};
  std::string connectionName{};
  std::string connectionNamespace{};
  std::chrono::nanoseconds refreshInterval{std::chrono::hours(6)};
  std::chrono::nanoseconds gracePeriod{std::chrono::minutes(5)};
  std::chrono::seconds robotLifetime{0}; // resolved: never 0 after parsing

  // Whether a namespace with these labels is a target: names ∪ selector. With no
  // names and no selector (or an empty selector) there are no targets, as the
  // Generator's documentation specifies.
  bool targets(std::string_view ns, const Labels& labels) const;
};

struct HarborRobotBinding {
  std::string name{};
  std::string uid{};
  std::int64_t generation = 0;
  std::string resourceVersion{};
  bool deleting = false; // metadata.deletionTimestamp is set
  std::vector<std::string> finalizers{};
  BindingSpec spec{};
};

// `json` is the whole object (apiVersion, kind, metadata, spec[, status]).
[[nodiscard]] Result<HarborRobotBinding> parseBinding(const nlohmann::json& json);
// One YAML (or JSON) document.
[[nodiscard]] Result<HarborRobotBinding> parseBindingYaml(std::string_view text);

// Harbor's robot permission list (NOTES §4, kind "project", Harbor 2.12+).
bool isValidProjectPermission(std::string_view resource, std::string_view action);

// Kubernetes object names.
[[nodiscard]] Status validateDnsSubdomain(std::string_view name, std::string_view path);
[[nodiscard]] Status validateDnsLabel(std::string_view name, std::string_view path);

} // namespace harborrobot

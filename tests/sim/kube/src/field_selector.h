// Field selectors (?fieldSelector=metadata.name=x,type!=Opaque): only =, == and
// !=, joined by commas, over the fields a resource makes selectable.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace harborrobot::kubesim {

struct FieldRequirement {
  std::string field;
  bool equals = true;
  std::string value;
};

class FieldSelector {
public:
  // `selectable` lists the fields besides metadata.name and metadata.namespace.
  static ApiResult<FieldSelector> parse(const std::string& text,
                                        const std::vector<std::string>& selectable);
  bool matches(const nlohmann::json& object) const;
  bool empty() const { return requirements_.empty(); }
  // Renames each requirement's field, as the apiserver's field label
  // conversion of a group-version maps its labels to the stored field set.
  void convertLabels(const std::function<std::string(const std::string&)>& convert);

private:
  std::vector<FieldRequirement> requirements_;
};

// The value a selectable field has on an object, as the apiserver's field sets
// render it ("" when absent; Event's "source" is source.component).
std::string selectableFieldValue(const nlohmann::json& object, const std::string& field);

// The name a list or watch asks for through `metadata.name=X` (or `==`), which
// RBAC then checks against resourceNames as for a get; "" when it names none.
// apiserver pkg/endpoints/request/requestinfo.go (NewRequestInfo): "if
// opts.FieldSelector != nil { if name, ok :=
// opts.FieldSelector.RequiresExactMatch("metadata.name"); ok { if
// len(path.IsValidPathSegmentName(name)) == 0 { requestInfo.Name = name }}}";
// a selector that does not parse leaves the name unset.
std::string nameRequestedBy(const std::string& fieldSelector);

} // namespace harborrobot::kubesim

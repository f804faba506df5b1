// Server-side Tables (meta.k8s.io/v1 Table): the columns kube-apiserver's
// printers give built-in kinds, and additionalPrinterColumns for custom
// resources. kubectl prints cells verbatim, so ages are formatted here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resource_type.h"

namespace harborrobot::kubesim {

nlohmann::json tableColumns(const ResourceType& type);
// One row; includeObject is "None", "Metadata" (the default) or "Object".
nlohmann::json tableRow(const ResourceType& type, const nlohmann::json& object,
                        const std::string& includeObject);
nlohmann::json makeTable(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                         nlohmann::json listMetadata, const std::string& includeObject,
                         bool withColumns);

// True when an Accept header asks for the Table representation.
bool acceptsTable(const std::string& accept);

} // namespace harborrobot::kubesim

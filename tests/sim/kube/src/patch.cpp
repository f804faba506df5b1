#include "patch.h"

#include <algorithm>
#include <map>
#include <optional>

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

// Merge keys from the patchMergeKey/patchStrategy tags of k8s.io/api types.
// ServiceAccount.imagePullSecrets is deliberately absent: it has no merge key,
// so a strategic patch replaces that list (kubectl-traces.md, surprise 5).
const std::map<std::string, std::string>& podSpecKeys() {
  static const std::map<std::string, std::string> keys = {
      {"containers", "name"},
      {"containers.env", "name"},
      {"containers.ports", "containerPort"},
      {"containers.volumeMounts", "mountPath"},
      {"containers.volumeDevices", "devicePath"},
      {"initContainers", "name"},
      {"initContainers.env", "name"},
      {"initContainers.ports", "containerPort"},
      {"initContainers.volumeMounts", "mountPath"},
      {"ephemeralContainers", "name"},
      {"volumes", "name"},
      {"imagePullSecrets", "name"},
      {"hostAliases", "ip"},
      {"topologySpreadConstraints", "topologyKey"},
      {"resourceClaims", "name"},
      {"schedulingGates", "name"},
  };
  return keys;
}

std::string messageOf(const std::exception& error) {
  // nlohmann prefixes "[json.exception.type.N] "; the rest is the useful part.
  std::string message = error.what();
  if (message.starts_with("[json.exception.")) {
    if (const auto end = message.find("] "); end != std::string::npos)
      message = message.substr(end + 2);
  }
  return message;
}

class StrategicMerger {
public:
  explicit StrategicMerger(std::string kind) : kind_(std::move(kind)) {}

  ApiResult<json> merge(const json& original, const json& patch, const std::string& path) {
    if (!patch.is_object())
      return patch;
    if (patch.contains("$patch")) {
      const json& directive = patch["$patch"];
      if (directive == "replace") {
        json replaced = patch;
        replaced.erase("$patch");
        return replaced;
      }
      if (directive == "delete")
        return json(nullptr);
      return tl::unexpected(
          badRequest("Unknown patch type: " + directive.dump() + " in map: " + patch.dump()));
    }
    json result = original.is_object() ? original : json::object();
    if (patch.contains("$retainKeys")) {
      const json& retain = patch["$retainKeys"];
      if (!retain.is_array())
        return tl::unexpected(badRequest("$retainKeys must be a list of field names"));
      for (auto it = result.begin(); it != result.end();) {
        const bool keep = std::find(retain.begin(), retain.end(), json(it.key())) != retain.end();
        it = keep ? std::next(it) : result.erase(it);
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (key == "$retainKeys" || key.starts_with("$setElementOrder/"))
        continue;
      const std::string childPath = path.empty() ? key : path + "." + key;
      if (key.starts_with("$deleteFromPrimitiveList/")) {
        const std::string listKey = key.substr(std::string("$deleteFromPrimitiveList/").size());
        if (result.contains(listKey) && result[listKey].is_array() && value.is_array()) {
          json kept = json::array();
          for (const auto& element : result[listKey]) {
            if (std::find(value.begin(), value.end(), element) == value.end())
              kept.push_back(element);
          }
          result[listKey] = kept;
        }
        continue;
      }
      if (value.is_null()) {
        result.erase(key);
        continue;
      }
      const json current = result.contains(key) ? result[key] : json();
      if (value.is_array()) {
        auto merged = mergeList(current, value, childPath);
        if (!merged)
          return merged;
        result[key] = std::move(*merged);
      } else if (value.is_object()) {
        auto merged = merge(current, value, childPath);
        if (!merged)
          return merged;
        if (merged->is_null())
          result.erase(key);
        else
          result[key] = std::move(*merged);
      } else {
        result[key] = value;
      }
    }
    return result;
  }

private:
  ApiResult<json> mergeList(const json& original, const json& patch, const std::string& path) {
    const auto mergeKey = strategicMergeKey(kind_, path);
    if (!mergeKey || !original.is_array())
      return stripDirectives(patch);
    json result = original;
    if (mergeKey->empty()) {
      // A set of primitives (metadata.finalizers): union, order kept.
      for (const auto& element : patch) {
        if (std::find(result.begin(), result.end(), element) == result.end())
          result.push_back(element);
      }
      return result;
    }
    for (const auto& element : patch) {
      if (element.is_object() && element.value("$patch", "") == "replace")
        return stripDirectives(patch);
    }
    for (const auto& element : patch) {
      if (!element.is_object() || !element.contains(*mergeKey)) {
        return tl::unexpected(badRequest("map: " + element.dump() +
                                         " does not contain declared merge key: " + *mergeKey));
      }
      const json& keyValue = element[*mergeKey];
      auto match = std::find_if(result.begin(), result.end(), [&](const json& existing) {
        return existing.is_object() && existing.contains(*mergeKey) &&
               existing[*mergeKey] == keyValue;
      });
      if (element.value("$patch", "") == "delete") {
        if (match != result.end())
          result.erase(match);
        continue;
      }
      if (match == result.end()) {
        auto added = merge(json::object(), element, path);
        if (!added)
          return added;
        result.push_back(std::move(*added));
      } else {
        auto merged = merge(*match, element, path);
        if (!merged)
          return merged;
        *match = std::move(*merged);
      }
    }
    return result;
  }

  static json stripDirectives(const json& list) {
    json stripped = json::array();
    for (const auto& element : list) {
      if (element.is_object() && element.contains("$patch")) {
        if (element["$patch"] == "delete")
          continue;
        json copy = element;
        copy.erase("$patch");
        stripped.push_back(std::move(copy));
      } else {
        stripped.push_back(element);
      }
    }
    return stripped;
  }

  std::string kind_;
};

} // namespace

std::optional<std::string> strategicMergeKey(const std::string& kind, const std::string& path) {
  if (path == "metadata.ownerReferences")
    return std::string("uid");
  if (path == "metadata.finalizers")
    return std::string();
  if (path == "status.conditions")
    return std::string("type");
  if (kind == "ServiceAccount" && path == "secrets")
    return std::string("name");
  std::string podPath;
  if (kind == "Pod" && path.starts_with("spec."))
    podPath = path.substr(5);
  else if (kind == "Deployment" && path.starts_with("spec.template.spec."))
    podPath = path.substr(19);
  if (!podPath.empty()) {
    const auto& keys = podSpecKeys();
    if (const auto found = keys.find(podPath); found != keys.end())
      return found->second;
  }
  return std::nullopt;
}

ApiResult<json> applyMergePatch(const json& original, const json& patch) {
  if (!patch.is_object())
    return tl::unexpected(badRequest("a merge patch must be a JSON object, got: " + patch.dump()));
  json result = original;
  result.merge_patch(patch);
  return result;
}

ApiResult<json> applyJsonPatch(const json& original, const json& patch) {
  if (!patch.is_array()) {
    return tl::unexpected(
        badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
  }
  try {
    return original.patch(patch);
  } catch (const json::exception& error) {
    return tl::unexpected(
        statusError(422, "Invalid", "the JSON patch could not be applied: " + messageOf(error)));
  }
}

ApiResult<json> applyStrategicMergePatch(const std::string& kind, const json& original,
                                         const json& patch) {
  if (!patch.is_object()) {
    return tl::unexpected(
        badRequest("a strategic merge patch must be a JSON object, got: " + patch.dump()));
  }
  auto merged = StrategicMerger(kind).merge(original, patch, "");
  if (merged && merged->is_null())
    return tl::unexpected(badRequest("a strategic merge patch may not delete the whole object"));
  return merged;
}

} // namespace harborrobot::kubesim
